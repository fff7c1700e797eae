import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { defineFunction, deviceReadings } from '../../core/index.ts';
import { jsBackend, jsonLogger, MemorySink, MemoryStateStore, type DspBackend } from '../../core/adapters/index.ts';
import { lambdaContext, mskEvent, type RecordInput } from '../../core/testing/index.ts';
import type { KafkaEvent } from '../../core/index.ts';
import { decodeF32le } from '../../core/codecs/payload.ts';
import { isNativeAvailable, nativeBackend } from '../../core/dsp/native/loader.ts';
import { pathToFileURL } from 'node:url';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import type { KafkaRecord } from '../../core/events/types.ts';
import { invokeInProcess } from '../../core/local/lambda-event.ts';
import type { OutputMessage, Sink } from '../../core/sink/sink.ts';
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

/** consume's records (test/bench/kafka-bench.ts): 64 JSON samples, a batch of one partition's 1,000 records over its 10 devices. */
const SMALL_SAMPLES = 64;
const SMALL_DEVICES = 10;

function smallRecords(): KafkaRecord[] {
  const now = Date.now();
  return Array.from({ length: RECORDS }, (_, i) => {
    const deviceId = `device-${i % SMALL_DEVICES}`;
    const data = Array.from({ length: SMALL_SAMPLES }, (_, s) => Math.sin((i * SMALL_SAMPLES + s) / 9) * 2 + 0.1);
    const value = Buffer.from(JSON.stringify({ deviceId, sampleRate: 1000, data }));
    return { topic: 'sensors', partition: 0, offset: i, timestamp: now, timestampType: 'CREATE_TIME', key: Buffer.from(deviceId), value, tombstone: false, headers: [] };
  });
}

/** A sink that accepts and drops: what the producer does with the results is not the handler's CPU. */
class DroppingSink implements Sink {
  readonly name = 'dropping';
  messages = 0;
  async send(messages: readonly OutputMessage[]): Promise<void> {
    this.messages += messages.length;
  }
  async close(): Promise<void> {}
}

/**
 * The same work as plain, well-written JavaScript with nothing of dspfn: per record JSON.parse of
 * the value, movingAverage(10) → rms(5) over float64 rings kept per device, and JSON.stringify of a
 * result of the handler's shape. The floor a user would write by hand.
 */
function plainSmallRecords(records: readonly KafkaRecord[]): () => number {
  const devices = new Map<string, { ring1: Float64Array; ring2: Float64Array; sum1: number; sum2: number; n: number }>();
  let sent: string[] = [];
  return () => {
    sent = [];
    for (const record of records) {
      const reading = JSON.parse(record.value.toString('utf8')) as { deviceId: string; data: number[] };
      let device = devices.get(reading.deviceId);
      if (device === undefined) devices.set(reading.deviceId, (device = { ring1: new Float64Array(10), ring2: new Float64Array(5), sum1: 0, sum2: 0, n: 0 }));
      const { data } = reading;
      const rms = new Array<number>(data.length);
      for (let i = 0; i < data.length; i++, device.n++) {
        const x = data[i]!;
        device.sum1 += x - device.ring1[device.n % 10]!;
        device.ring1[device.n % 10] = x;
        const avg = device.sum1 / Math.min(device.n + 1, 10);
        device.sum2 += avg * avg - device.ring2[device.n % 5]!;
        device.ring2[device.n % 5] = avg * avg;
        rms[i] = Math.sqrt(Math.max(device.sum2, 0) / Math.min(device.n + 1, 5));
      }
      sent.push(JSON.stringify({ deviceId: reading.deviceId, partition: record.partition, offset: record.offset, rms }));
    }
    return records.length;
  };
}

/** Each call the next batch of the same records: offsets move on, so the state's fence never skips them. */
function nextOffsets(records: readonly KafkaRecord[], lambdaRecords?: ReadonlyArray<{ offset: number }>): void {
  for (let i = 0; i < records.length; i++) {
    const offset = records[i]!.offset + records.length;
    (records[i] as { offset: number }).offset = offset;
    if (lambdaRecords) (lambdaRecords[i] as { offset: number }).offset = offset;
  }
}

/**
 * V8 heap bytes allocated per call of `work` (what the young generation has to collect): the heap's
 * growth plus what each collection in between freed, over `calls` calls after a warm-up.
 */
async function allocatedPerCall(work: () => unknown, calls = 30): Promise<number> {
  for (let i = 0; i < 5; i++) await work();
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  for (let i = 0; i < calls; i++) await work();
  const after = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop() ?? { statistics: [] };
  let freed = 0;
  for (const gc of statistics) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return (after - before + freed) / calls;
}

/**
 * sensor-rms on consume's records (1,000 × 64 JSON samples, 10 keys, memory state kept across
 * batches, results dropped by the sink): the handler as `consume` calls it (in-process, the fetched
 * Buffers) and as Lambda does (base64 event), each beside the plain-JavaScript floor of the same
 * work, with CPU µs and V8 heap bytes allocated per record.
 */
export async function benchSmallRecords(backend: DspBackend, rounds = 7): Promise<string> {
  const records = smallRecords();
  const lambda = mskEvent(records.map((r) => ({ key: r.key!, value: r.value, offset: r.offset, timestamp: r.timestamp })), { topic: 'sensors' });
  const lambdaRecords = Object.values(lambda.records)[0]!;
  const runtime = () => ({ sink: new DroppingSink(), state: new MemoryStateStore(), backend, logger: jsonLogger({}, 'silent') });
  const inProcess = sensorRms.dspfn.withRuntime(runtime());
  const viaLambda = sensorRms.dspfn.withRuntime(runtime());
  const invocation = { functionName: 'sensor-rms', shape: 'msk', bootstrapServers: 'localhost:9092' } as const;
  const consumeBatch = async () => {
    nextOffsets(records);
    const outcome = await invokeInProcess(inProcess, records, invocation);
    if (outcome.status !== 'ok') throw new Error(`batch ${outcome.status}`);
    return RECORDS;
  };
  const lambdaBatch = async () => {
    nextOffsets(records, lambdaRecords);
    await viaLambda(lambda, lambdaContext());
    return RECORDS;
  };
  const plain = plainSmallRecords(records);
  const rows: string[][] = [['sensor-rms handler, 1,000 × 64 JSON samples', 'backend', 'CPU per record', 'heap per record', 'vs plain JS']];
  const micros = (perSecond: number) => `${(1e6 / perSecond).toFixed(2)} µs`;
  const kilobytes = (bytes: number) => `${(bytes / RECORDS / 1024).toFixed(2)} KB`;
  const consume = await sideBySide(plain, consumeBatch, rounds);
  const viaEvent = await sideBySide(plain, lambdaBatch, rounds);
  const plainRate = (consume.baseline + viaEvent.baseline) / 2;
  rows.push(['  plain JS: JSON.parse + rms + JSON.stringify', '—', micros(plainRate), kilobytes(await allocatedPerCall(plain)), '1.00×']);
  rows.push(['in-process Buffers (consume)', backend.name, micros(consume.work), kilobytes(await allocatedPerCall(consumeBatch)), `${consume.ratio.toFixed(2)}×`]);
  rows.push(['Lambda event (base64)', backend.name, micros(viaEvent.work), kilobytes(await allocatedPerCall(lambdaBatch)), `${viaEvent.ratio.toFixed(2)}×`]);
  return table(rows);
}

// `npx tsx test/bench/handler-bench.ts [--native-only] [--small]` runs it on its own; `--small` only
// the section of consume's records (1,000 × 64 JSON samples).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const native = isNativeAvailable() ? [nativeBackend()] : [];
  const backends = process.argv.includes('--native-only') ? native : [jsBackend, ...native];
  if (!process.argv.includes('--small')) console.log(await benchHandler(backends));
  for (const backend of backends) console.log(await benchSmallRecords(backend));
}
