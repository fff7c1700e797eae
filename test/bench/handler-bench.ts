import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { defineFunction, deviceReadings } from '../../core/index.ts';
import { jsBackend, jsonLogger, MemorySink, MemoryStateStore, type DspBackend } from '../../core/adapters/index.ts';
import { lambdaContext, mskEvent, type RecordInput } from '../../core/testing/index.ts';
import type { KafkaEvent } from '../../core/index.ts';
import { decodeF32le } from '../../core/codecs/payload.ts';
import { isNativeAvailable, nativeBackend } from '../../core/dsp/native/loader.ts';
import { pathToFileURL } from 'node:url';
import { millions, sideBySide, table } from './measure.ts';

const RECORDS = 1000;
const SAMPLES = 1024;

function records(format: 'json' | 'f32le'): RecordInput[] {
  return Array.from({ length: RECORDS }, (_, r) => {
    const data = Float32Array.from({ length: SAMPLES }, (_, i) => Math.sin((r * SAMPLES + i) / 50) * 2 + 0.1);
    const deviceId = `device-${r % 100}`;
    return format === 'f32le'
      ? { key: deviceId, value: data, headers: { 'content-type': 'application/x-f32le' } }
      : { key: deviceId, value: { deviceId, sampleRate: 1000, data: Array.from(data) } };
  });
}

/** sensor-rms with raw f32le results: the same work without number formatting. */
const sensorRmsRaw = defineFunction({
  ...sensorRms.dspfn.definition,
  input: deviceReadings(),
  output: { topic: 'sensor-rms', format: 'f32le' },
});

function eventValues(event: KafkaEvent): string[] {
  return Object.values(event.records).flatMap((records) => records.map((r) => r.value ?? ''));
}

/**
 * What JSON in → JSON out costs with nothing but the runtime's own JSON: each base64 value decoded
 * and parsed, its samples copied to a Float32Array, and a result of the handler's shape stringified
 * (DSP left out). The handler has to do at least this; its ratio shows what it adds or saves.
 */
function jsonBaseline(event: KafkaEvent): () => number {
  const values = eventValues(event);
  let bytes = 0;
  return () => {
    for (let i = 0; i < values.length; i++) {
      const reading = JSON.parse(Buffer.from(values[i]!, 'base64').toString('utf8')) as { deviceId: string; data: number[] };
      const samples = Float32Array.from(reading.data);
      bytes += JSON.stringify({ deviceId: reading.deviceId, partition: 0, offset: i, rms: Array.from(samples) }).length;
    }
    return values.length * SAMPLES;
  };
}

/** f32le → f32le with nothing but base64 decoding and the kernels: one chain per key, buffers reused. */
function f32leBaseline(event: KafkaEvent, backend: DspBackend): () => number {
  const values = eventValues(event);
  const spec = sensorRms.dspfn.definition.pipeline;
  const chains = new Map<string, Array<{ kernel: ReturnType<DspBackend['createKernel']>; out: Float32Array }>>();
  const keys = Object.values(event.records).flatMap((records) => records.map((r) => r.key ?? ''));
  for (const key of keys) {
    if (!chains.has(key)) chains.set(key, spec.stages.map((stage) => ({ kernel: backend.createKernel(stage, spec.channels), out: new Float32Array(SAMPLES) })));
  }
  return () => {
    for (let i = 0; i < values.length; i++) {
      let x: Float32Array = decodeF32le(Buffer.from(values[i]!, 'base64'));
      for (const step of chains.get(keys[i]!)!) {
        step.kernel.process(x, step.out);
        x = step.out;
      }
    }
    return values.length * SAMPLES;
  };
}

/**
 * The whole sensor-rms handler on batches of 1,000 records × 1,024 samples (in-process sink), each
 * scenario with a baseline measured side by side with it (alternating rounds on CPU time; the
 * ratio is the median of the rounds' ratios, see sideBySide).
 */
export async function benchHandler(backends: readonly DspBackend[] = [jsBackend], rounds = 7): Promise<string> {
  const rows: string[][] = [['sensor-rms handler, 1,000 × 1,024 samples', 'backend', 'samples/s', 'records/s', 'vs baseline', 'goal']];
  for (const [format, out] of [['f32le', 'json'], ['json', 'json'], ['f32le', 'f32le']] as const) {
    const inputs = records(format);
    const fnDef = out === 'json' ? sensorRms : sensorRmsRaw;
    const event = mskEvent(inputs, { topic: 'sensors' });
    for (const backend of backends) {
      const batch = async () => {
        // A fresh state store per batch, so the offset fence never skips and every batch does the full work.
        const fn = fnDef.dspfn.withRuntime({ sink: new MemorySink(), state: new MemoryStateStore(), backend, logger: jsonLogger({}, 'silent') });
        await fn(event, lambdaContext());
        return RECORDS * SAMPLES;
      };
      const baselineWork = format === 'json' ? jsonBaseline(event) : out === 'f32le' ? f32leBaseline(event, backend) : undefined;
      if (baselineWork === undefined) {
        const { work } = await sideBySide(batch, batch, 3);
        rows.push([`${format} in, ${out} out`, backend.name, millions(work), `${Math.round(work / SAMPLES)}`, '', '']);
        continue;
      }
      const { baseline, work, ratio } = await sideBySide(baselineWork, batch, rounds);
      const what = format === 'json' ? 'baseline: JSON.parse + Float32Array.from + JSON.stringify' : 'baseline: base64 decode + kernels';
      rows.push([`  ${what}`, format === 'json' ? '—' : backend.name, millions(baseline), `${Math.round(baseline / SAMPLES)}`, '1.00×', '']);
      const goal = backend.name === 'native' ? (format === 'json' ? '≥ 2×' : '≥ 0.67×') : '';
      rows.push([`${format} in, ${out} out`, backend.name, millions(work), `${Math.round(work / SAMPLES)}`, `${ratio.toFixed(2)}×`, goal]);
    }
  }
  return table(rows);
}

// `npx tsx test/bench/handler-bench.ts [--native-only]` runs it on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const native = isNativeAvailable() ? [nativeBackend()] : [];
  console.log(await benchHandler(process.argv.includes('--native-only') ? native : [jsBackend, ...native]));
}
