import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { defineFunction, deviceReadings } from '../../core/index.ts';
import { jsBackend, jsonLogger, MemorySink, MemoryStateStore, type DspBackend } from '../../core/adapters/index.ts';
import { lambdaContext, mskEvent, type RecordInput } from '../../core/testing/index.ts';
import { measureAsync, millions, table } from './measure.ts';

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

/** The whole sensor-rms handler on batches of 1,000 records × 1,024 samples (in-process sink). */
export async function benchHandler(backends: readonly DspBackend[] = [jsBackend]): Promise<string> {
  const rows: string[][] = [['sensor-rms handler, 1,000 × 1,024 samples', 'backend', 'samples/s', 'records/s']];
  for (const [format, out] of [['f32le', 'json'], ['json', 'json'], ['f32le', 'f32le']] as const) {
    const inputs = records(format);
    const fnDef = out === 'json' ? sensorRms : sensorRmsRaw;
    const event = mskEvent(inputs, { topic: 'sensors' });
    for (const backend of backends) {
      const rate = await measureAsync(async () => {
        // A fresh state store per batch, so the offset fence never skips and every batch does the full work.
        const fn = fnDef.dspfn.withRuntime({ sink: new MemorySink(), state: new MemoryStateStore(), backend, logger: jsonLogger({}, 'silent') });
        await fn(event, lambdaContext());
        return RECORDS * SAMPLES;
      }, 1500);
      rows.push([`${format} in, ${out} out`, backend.name, millions(rate), `${Math.round(rate / SAMPLES)}`]);
    }
  }
  return table(rows);
}
