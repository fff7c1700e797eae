import { defineFunction, pipeline, type Payload, type SampleBlock } from 'dspfn';
import { DecodeError } from 'dspfn/errors';

/**
 * Radio-frequency interference per telescope array element (seed 002): each record is the
 * element's JSON telemetry with a base64 `data_chunk` of little-endian float32 visibility samples,
 * keyed by `elementId`. The chunk stream is cut into 256-sample frames (16 per second at 4,096
 * samples per second); each frame's power in four sub-bands is scored against that band's last
 * 64 frames (zScore, the current frame left out), and a run of frames scoring 6σ or more above
 * the band's recent level is one RFI event, at its first frame. The element's own `rfiLevel`
 * reading travels with each event for comparison.
 */

/** Visibility samples per second in `data_chunk`. */
export const SAMPLE_RATE = 4096;
/** The sub-bands watched, [low, high) Hz: 128 bins of 16 Hz up to the Nyquist frequency. */
export const BANDS: ReadonlyArray<readonly [number, number]> = [
  [16, 512],
  [512, 1024],
  [1024, 1536],
  [1536, 2049],
];
/** Frames the z-score needs before its baseline means anything (a second of data). */
export const WARM_UP_FRAMES = 16;
export const FRAME = 256;
export const Z_THRESHOLD = 6;

interface Telemetry {
  readonly siteId: string;
  /** The element's own RFI detector, dBm. */
  readonly rfiLevel: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The float32 samples of a base64 chunk, refused (dead-lettered) unless it is exactly that. */
function visibilities(chunk: unknown): Float32Array {
  if (chunk === undefined) return new Float32Array(0); // telemetry without visibilities
  if (typeof chunk !== 'string' || !BASE64.test(chunk)) throw new DecodeError('data_chunk is not base64 text');
  const bytes = Buffer.from(chunk, 'base64');
  if (bytes.length % 4 !== 0) throw new DecodeError(`data_chunk holds ${bytes.length} bytes, not whole float32 samples`);
  const samples = new Float32Array(bytes.length / 4);
  for (let i = 0; i < samples.length; i++) {
    const x = bytes.readFloatLE(i * 4);
    if (!Number.isFinite(x)) throw new DecodeError(`data_chunk sample ${i} is not a finite number`);
    samples[i] = x;
  }
  return samples;
}

function telemetry(payload: Payload): SampleBlock<Telemetry> {
  if (payload.codec !== 'json' || typeof payload.value !== 'object' || payload.value === null) throw new DecodeError('expected a JSON telemetry object');
  const { elementId, siteId, timestamp, metrics, data_chunk: chunk } = payload.value as Record<string, unknown>;
  if (typeof elementId !== 'string' || elementId === '') throw new DecodeError('elementId must be a non-empty string');
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(time)) throw new DecodeError('timestamp must be an ISO 8601 time');
  const rfiLevel = (metrics as { rfiLevel?: unknown } | undefined)?.rfiLevel;
  if (typeof rfiLevel !== 'number' || !Number.isFinite(rfiLevel)) throw new DecodeError('metrics.rfiLevel must be a number (dBm)');
  return {
    key: elementId,
    samples: visibilities(chunk),
    timestamp: time,
    sampleRate: SAMPLE_RATE,
    meta: { siteId: typeof siteId === 'string' ? siteId : '', rfiLevel },
  };
}

export const handler = defineFunction<Telemetry>({
  name: 'rfi-detect',
  codec: 'json',
  input: telemetry,
  pipeline: pipeline()
    .bandPower({ size: FRAME, hop: FRAME, bands: BANDS.map(([low, high]) => [low, high]), sampleRate: SAMPLE_RATE })
    .zScore({ window: 64, excludeCurrent: true })
    .clipDetect({ threshold: Z_THRESHOLD }),
  output: {
    topic: 'element.rfi',
    // One message per RFI event; none for records without one. Excess power only (a drop in
    // power is no interference), and not while the baseline warms up.
    value: ({ key, events, block }) =>
      events
        .filter((e) => e.value > 0 && e.index >= WARM_UP_FRAMES)
        .map((e) => ({
          elementId: key,
          siteId: block.meta?.siteId,
          band: BANDS[e.channel],
          frame: e.index,
          time: new Date(e.timestamp).toISOString(),
          zScore: e.value,
          reportedRfiLevel: block.meta?.rfiLevel,
        })),
  },
});
