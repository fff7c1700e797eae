// A function whose records no user code sees decodes each batch into memory the next batch reuses
// (record-memory.ts, SlabPool). Whatever a batch holds — bad records, tombstones, NaN samples, JSON
// records, keys that are not UTF-8, redeliveries — it must send the same messages, dead letters
// (original bytes) and state as the same function decoding into fresh memory, and nothing a sink
// kept from an earlier batch may change when a later batch reuses the memory.
// The pooled function also builds its results directly (run-pipelines.ts, directResults), the
// `fresh` one through a ResultContext per record (it has an `output.key`): that path is compared too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { mskEvent } from '../events/build.ts';
import type { KafkaEvent } from '../events/types.ts';
import { deviceReadings } from '../inputs/device-readings.ts';
import { jsonLogger } from '../logger/logger.ts';
import type { OutputMessage } from '../sink/sink.ts';
import { MemorySink } from '../sink/memory.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { defineFunction } from './define-function.ts';
import { reusesEventMemory } from './record-memory.ts';
import { f32leDefinition, f32leInput, f32leRecords, type F32leRecord } from '../../test/fixtures/f32le-records.ts';

const definition = f32leDefinition('memory');
const pooled = defineFunction(definition);
// The same results (the message key is the pipeline key by default), but user code sees each record.
const fresh = defineFunction({ ...definition, output: { ...definition.output, key: ({ key }) => key } });

const record = f32leRecords({ partitions: 2, kinds: ['samples', 'samples', 'samples', 'samples', 'odd-bytes', 'nan', 'tombstone', 'json', 'not-base64'], maxFrames: 6 });

function eventOf(records: readonly F32leRecord[], firstOffset: number): KafkaEvent {
  const inputs = records.map((r, i) => f32leInput(r, i, { deviceId: 'j', data: [1, 2] }));
  const event = mskEvent(inputs, { topic: 'in' });
  // Offsets go on from the last batch (per partition), and a record may be malformed on the wire.
  const byPartition = new Map<number, number>();
  records.forEach((r, i) => {
    const raw = event.records[`in-${r.partition}`]!.find((x) => x.timestamp === 1_000 + i)!;
    const offset = firstOffset + (byPartition.get(r.partition) ?? 0);
    byPartition.set(r.partition, offset - firstOffset + 1);
    raw.offset = offset;
    if (r.kind === 'not-base64') raw.value = 'not base64!';
  });
  return event;
}

const shown = (m: OutputMessage) => ({ ...m, key: m.key === null ? null : Buffer.from(m.key).toString('hex'), value: m.value === null ? null : Buffer.from(m.value as Uint8Array).toString('hex') });

async function runAll(fn: typeof pooled, events: readonly KafkaEvent[]) {
  const sink = new MemorySink();
  const state = new MemoryStateStore();
  const handler = fn.dspfn.withRuntime({ sink, state, backend: jsBackend, logger: jsonLogger({}, 'silent'), metrics: undefined });
  const asSent: ReturnType<typeof shown>[] = [];
  for (const event of events) {
    const before = sink.messages.length;
    await handler(event, lambdaContext());
    asSent.push(...sink.messages.slice(before).map(shown));
  }
  const stored = await state.load(['memory:a', 'memory:b', 'memory:c', 'memory:j']);
  return { asSent, kept: sink.messages.map(shown), state: [...stored].map(([k, v]) => [k, Buffer.from(v.snapshot).toString('hex'), v.offsets]) };
}

describe('handler decoding into reused memory', () => {
  it('is used only where no user code sees records', () => {
    expect(reusesEventMemory(pooled.dspfn.definition)).toBe(true);
    expect(reusesEventMemory(fresh.dspfn.definition)).toBe(false);
    expect(reusesEventMemory({ ...definition, input: (payload, record) => deviceReadings()(payload, record) })).toBe(false);
    expect(reusesEventMemory({ ...definition, output: { topic: 'out', value: ({ output }) => output } })).toBe(false);
    expect(reusesEventMemory({ ...definition, input: undefined })).toBe(true);
  });

  it('sends the same messages, dead letters and state as fresh memory, and leaves what a sink kept untouched', async () => {
    let deadLetters = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.array(record, { minLength: 1, maxLength: 20 }), fc.boolean()), { minLength: 2, maxLength: 4 }), async (batches) => {
        let offset = 0;
        const events: KafkaEvent[] = [];
        for (const [records, redeliver] of batches) {
          // A redelivery comes again from the offsets of the batch before: the fence skips what it applied.
          if (redeliver && events.length > 0) offset = Math.max(0, offset - records.length);
          events.push(eventOf(records, offset));
          offset += records.length;
        }
        const reused = await runAll(pooled, events);
        deadLetters += reused.kept.filter((m) => m.kind === 'dead-letter').length;
        expect(reused.kept).toEqual(reused.asSent);
        expect(reused).toEqual(await runAll(fresh, events));
      }),
      { numRuns: 100 },
    );
    expect(deadLetters).toBeGreaterThan(100);
  });

  it('gives batches in flight at once memory of their own', async () => {
    const events = [0, 1, 2].map((b) => eventOf([0, 1, 2, 3].map((i) => ({ partition: 0, key: (['a', 'b', 'c'] as const)[(b + i) % 3]!, kind: i === 3 ? ('not-base64' as const) : ('samples' as const), frames: [[b, i], [i, b]] as [number, number][] })), b * 10));
    const together = await Promise.all(events.map((event) => runAll(pooled, [event])));
    const alone = [];
    for (const event of events) alone.push(await runAll(fresh, [event]));
    expect(together).toEqual(alone);
  });
});
