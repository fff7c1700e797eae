// Batches of several partitions run at once, each one's store calls taking effect in any order the
// scheduler picks, some delivered twice at once (the second time with the next batch's records
// too), some failing after their commit (the event source delivers those again): the stored state is the state of one delivery of each batch in turn (the
// partition list the same set), the results the same, and the idle tick then closes every
// partition's windows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduled } from '../../../test/fixtures/scheduled-store.ts';
import { minuteBatches, minutes, storedMinutes } from '../../../test/fixtures/windowed-minutes.ts';
import type { RecordInput } from '../../events/build.ts';
import { MemoryStateStore } from '../../state/memory.ts';
import type { StateStore } from '../../state/store.ts';
import { testHarness } from '../../testing/harness.ts';

const T0 = Date.UTC(2026, 0, 1);
const NOW = 1_000_000;

// twice: a second delivery at once, with the next batch's records too when `overlapping`.
const delivery = fc.record({ twice: fc.boolean(), overlapping: fc.boolean(), failsAfterCommit: fc.boolean() });
const batch = fc.record({ records: fc.array(fc.record({ key: fc.integer({ min: 0, max: 1 }), advance: fc.integer({ min: 0, max: 50_000 }), value: fc.integer({ min: -9, max: 9 }) }), { minLength: 1, maxLength: 3 }), delivery });
const scenario = fc.array(fc.array(batch, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 });


async function tick(state: StateStore, results: Set<string>): Promise<void> {
  const fn = testHarness(minutes, { state, now: () => NOW + 60_000 });
  await fn.tick();
  for (const m of fn.sink.onTopic('out')) results.add(String(m.value));
}

describe('windowed batches of several partitions at once', () => {
  it('leave the state and results of one delivery of each batch in turn, and the tick closes every partition', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.scheduler(), async (partitions, s) => {
        const batches = minuteBatches(partitions, T0);
        const reference = new MemoryStateStore();
        const expected = new Set<string>();
        for (const own of batches) {
          for (const records of own) {
            const fn = testHarness(minutes, { state: reference, now: () => NOW });
            await fn.invoke(records, { topic: 'in' });
            for (const m of fn.sink.onTopic('out')) expected.add(String(m.value));
          }
        }
        await tick(reference, expected);

        const state = new MemoryStateStore();
        const results = new Set<string>();
        const deliver = async (records: RecordInput[], store: StateStore): Promise<void> => {
          const fn = testHarness(minutes, { state: store, now: () => NOW });
          try {
            await fn.invoke(records, { topic: 'in' });
          } finally {
            for (const m of fn.sink.onTopic('out')) results.add(String(m.value));
          }
        };
        // A partition's batches in order, as the event source hands them out; partitions at once.
        const work = Promise.all(
          batches.map(async (own, partition) => {
            for (const [i, records] of own.entries()) {
              const { twice, overlapping, failsAfterCommit } = partitions[partition]![i]!.delivery;
              const copies = [{ records, fails: failsAfterCommit }];
              if (twice) copies.push({ records: overlapping ? [...records, ...(own[i + 1] ?? [])] : records, fails: false });
              const settled = await Promise.allSettled(copies.map((copy) => deliver(copy.records, scheduled(s, state, copy.fails))));
              if (settled.every((o) => o.status === 'rejected')) await deliver(records, scheduled(s, state, false));
            }
          }),
        );
        await s.waitFor(work);
        await tick(state, results);
        expect(storedMinutes(state)).toEqual(storedMinutes(reference));
        expect([...results].sort()).toEqual([...expected].sort());
        // Every key's last window closed, by a record or by the tick: the tick saw every partition.
        expect(new Set([...results].map((v) => (JSON.parse(v) as { key: string }).key))).toEqual(new Set(batches.flat(2).map((r) => r.key)));
      }),
      { numRuns: 150 },
    );
  });
});
