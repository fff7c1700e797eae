// The event parser lays a key's values out back to back (KeyedBase64Slab) so a key's f32le records
// run as one view of their own memory; records handed over as separate Buffers (consume's in-process
// events) are copied into one block instead. Both must give byte-identical messages, dead letters
// and state, whatever the batch holds: bad records, tombstones, several partitions and keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { mskEvent, type RecordInput } from '../events/build.ts';
import { inProcessEvent } from '../events/in-process.ts';
import { parseKafkaEvent } from '../events/parse.ts';
import type { KafkaEvent } from '../events/types.ts';
import { jsonLogger } from '../logger/logger.ts';
import { MemorySink } from '../sink/memory.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { deviceReadings } from '../inputs/device-readings.ts';
import { defineFunction } from './define-function.ts';

const fn = defineFunction({
  name: 'layout',
  codec: 'f32le',
  pipeline: pipeline({ channels: 2 }).movingAverage({ window: 3 }).ema({ alpha: 0.5 }),
  input: deviceReadings(),
  tombstones: 'dead-letter',
  output: { topic: 'out', format: 'f32le' },
});

const record = fc.record({
  partition: fc.integer({ min: 0, max: 2 }),
  key: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.constant(Uint8Array.of(0xff, 0xfe)), fc.constant(null)),
  kind: fc.constantFrom('samples', 'samples', 'samples', 'odd-bytes', 'nan', 'tombstone', 'json'),
  frames: fc.array(fc.tuple(fc.float({ noNaN: true, min: -100, max: 100 }), fc.float({ noNaN: true, min: -100, max: 100 })), { maxLength: 5 }),
});

function inputOf(r: Parameters<Parameters<typeof record.map>[0]>[0], i: number): RecordInput {
  const samples = Float32Array.from(r.frames.flat());
  const base = { partition: r.partition, key: r.key, timestamp: 1_000 + i, headers: { traceparent: `t-${i}` } };
  switch (r.kind) {
    case 'samples':
      return { ...base, value: samples };
    case 'odd-bytes':
      return { ...base, value: Uint8Array.of(1, 2, 3) };
    case 'nan':
      return { ...base, value: Float32Array.of(...samples, Number.NaN, 1) };
    case 'tombstone':
      return base;
    default:
      return { ...base, value: { data: [1, 2] }, headers: { 'content-type': 'application/json' } };
  }
}

/** The same event with every key and value in a Buffer of its own, as consume hands records over. */
function separateBuffers(event: KafkaEvent): KafkaEvent {
  const parsed = parseKafkaEvent(event);
  const copy = (b: Buffer) => Buffer.from(Uint8Array.prototype.slice.call(b));
  return inProcessEvent({
    ...parsed,
    partitions: parsed.partitions.map((p) => ({ ...p, records: p.records.map((r) => ({ ...r, key: r.key && copy(r.key), value: copy(r.value) })) })),
  });
}

async function run(event: KafkaEvent) {
  const sink = new MemorySink();
  const state = new MemoryStateStore();
  await fn.dspfn.withRuntime({ sink, state, backend: jsBackend, logger: jsonLogger({}, 'silent'), metrics: undefined })(event, lambdaContext());
  const messages = sink.messages.map((m) => ({ ...m, value: m.value === null ? null : Buffer.from(m.value as Uint8Array).toString('hex') }));
  const stored = await state.load(['layout:a', 'layout:b', 'layout:c']);
  return { messages, state: [...stored].map(([k, v]) => [k, Buffer.from(v.snapshot).toString('hex'), v.offsets]) };
}

describe('handler on a key-ordered slab vs separate buffers', () => {
  it('produces the same messages, dead letters and state', async () => {
    // A batch of empty records has nothing to send; most batches must, or the comparison shows little.
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 25 }), async (records) => {
        const event = mskEvent(records.map(inputOf), { topic: 'in' });
        const laidOut = await run(event);
        if (laidOut.messages.length > 0) sent++;
        expect(await run(separateBuffers(event))).toEqual(laidOut);
      }),
      { numRuns: 150 },
    );
    expect(sent).toBeGreaterThan(120);
  });
});
