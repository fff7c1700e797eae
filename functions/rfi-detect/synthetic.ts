/**
 * Synthetic seed-002 telemetry for rfi-detect's test and README: an element's visibility stream
 * (noise, plus narrowband carriers in chosen records) cut into chunks, each sent as the element's
 * JSON telemetry with the chunk as base64 float32. Deterministic for a seed.
 *
 *   npx tsx functions/rfi-detect/synthetic.ts > /tmp/rfi-values.ndjson    (two elements, NDJSON)
 */

/** Visibility samples per second: rfi-detect's SAMPLE_RATE (its test fails if they differ). */
export const SAMPLE_RATE = 4096;
import { pathToFileURL } from 'node:url';

/** A narrowband carrier in records `from` … `to` (inclusive), at `frequency` Hz. */
export interface Burst {
  readonly from: number;
  readonly to: number;
  readonly frequency: number;
  readonly amplitude: number;
}

export interface ElementOptions {
  readonly elementId: string;
  readonly seed: number;
  readonly records: number;
  /** Samples per record. */
  readonly chunk: number;
  readonly bursts: readonly Burst[];
  /** Epoch milliseconds of the first sample. */
  readonly start: number;
}

/** Seed 002's payload (the fields rfi-detect reads, and the rest as the producer sends them). */
export interface ElementTelemetry {
  readonly sourceId: string;
  readonly targetId: string;
  readonly routeType: 'node_to_hub';
  readonly elementId: string;
  readonly siteId: string;
  readonly timestamp: string;
  readonly metrics: { readonly vibration: number; readonly powerUsage: number; readonly noiseFloor: number; readonly rfiLevel: number };
  readonly data_chunk: string;
}

/** A uniform generator in [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The element's visibility samples: noise of σ ≈ 0.58 (a sum of four uniforms) plus its bursts. */
export function visibilityStream({ seed, records, chunk, bursts }: ElementOptions): Float32Array {
  const random = uniform(seed);
  const out = new Float32Array(records * chunk);
  for (let n = 0; n < out.length; n++) {
    const record = Math.floor(n / chunk);
    let x = random() + random() + random() + random() - 2;
    for (const b of bursts) if (record >= b.from && record <= b.to) x += b.amplitude * Math.sin((2 * Math.PI * b.frequency * n) / SAMPLE_RATE);
    out[n] = x;
  }
  return out;
}

export function base64Samples(samples: Float32Array): string {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
}

/** One telemetry value per chunk; the element's own rfiLevel reads −62 dBm during a burst, −95 otherwise. */
export function elementTelemetry(options: ElementOptions): ElementTelemetry[] {
  const samples = visibilityStream(options);
  const { elementId, records, chunk, bursts, start } = options;
  return Array.from({ length: records }, (_, r) => ({
    sourceId: `element-vla-${elementId}`,
    targetId: 'site-1',
    routeType: 'node_to_hub',
    elementId,
    siteId: 'vla',
    timestamp: new Date(start + (r * chunk * 1000) / SAMPLE_RATE).toISOString(),
    metrics: { vibration: 0.01, powerUsage: 412, noiseFloor: -97, rfiLevel: bursts.some((b) => r >= b.from && r <= b.to) ? -62 : -95 },
    data_chunk: base64Samples(samples.subarray(r * chunk, (r + 1) * chunk)),
  }));
}

/** The example: ea-07 with a 700 Hz carrier in records 30–33 and a 1,800 Hz one in 60–61; ea-12 clean. */
export function exampleTelemetry(start: number): { noisy: ElementTelemetry[]; clean: ElementTelemetry[] } {
  const common = { records: 70, chunk: 1024, start };
  return {
    noisy: elementTelemetry({
      ...common,
      elementId: 'ea-07',
      seed: 7,
      bursts: [
        { from: 30, to: 33, frequency: 700, amplitude: 3 },
        { from: 60, to: 61, frequency: 1800, amplitude: 2 },
      ],
    }),
    clean: elementTelemetry({ ...common, elementId: 'ea-12', seed: 12, bursts: [] }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { noisy, clean } = exampleTelemetry(Date.parse('2026-03-01T12:00:00.000Z'));
  const lines = noisy.flatMap((value, i) => [JSON.stringify(value), JSON.stringify(clean[i])]);
  process.stdout.write(`${lines.join('\n')}\n`);
}
