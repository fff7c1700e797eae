// The event parser lays a key's values out back to back (KeyedBase64Slab) so a key's f32le records
// run as one view of their own memory; records handed over as separate Buffers (consume's in-process
// events) are copied into one block instead. Both must give byte-identical messages, dead letters
// and state, whatever the batch holds: bad records, tombstones, several partitions and keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { mskEvent } from '../events/build.ts';
import { inProcessEvent } from '../events/in-process.ts';
import { parseKafkaEvent } from '../events/parse.ts';
import type { KafkaEvent } from '../events/types.ts';
import { jsonLogger } from '../logger/logger.ts';
import { MemorySink } from '../sink/memory.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { defineFunction } from './define-function.ts';
import { f32leDefinition, f32leInput, f32leRecords, type F32leRecord } from '../../test/fixtures/f32le-records.ts';

const fn = defineFunction(f32leDefinition('layout'));

const record = f32leRecords({ partitions: 3, kinds: ['samples', 'samples', 'samples', 'odd-bytes', 'nan', 'tombstone', 'json'], maxFrames: 5 });
const inputOf = (r: F32leRecord, i: number) => f32leInput(r, i, { data: [1, 2] });

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
