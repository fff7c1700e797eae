// A windowed function's partition list (the partitions the idle tick closes windows on) and
// partition indexes, under batches that run at once (Lambda runs partitions concurrently) and
// deliveries retried after a partial commit: every partition a batch saw ends up on the list, every
// record a key took is in its partition's index, so the tick closes every window, whatever the order.
import { describe, expect, it } from 'vitest';
import { racingViews } from '../../../test/fixtures/racing-store.ts';
import { minutes } from '../../../test/fixtures/windowed-minutes.ts';
import type { RecordInput } from '../../events/build.ts';
import { StateStoreError } from '../../errors.ts';
import { MemoryStateStore } from '../../state/memory.ts';
import type { StateStore } from '../../state/store.ts';
import { testHarness } from '../../testing/harness.ts';
import { readPartitions } from './state.ts';

const T0 = Date.UTC(2026, 0, 1);

/** The first batch of partition p: key k<p>, two readings in the first minute (no record closes it). */
const firstBatch = (partition: number): RecordInput[] =>
  [1, 3].map((value, offset) => ({ partition, offset, key: `k${partition}`, value: { key: `k${partition}`, value: value + partition, timestamp: T0 + offset * 1000 } }));

const NOW = 1_000_000;

const small: RecordInput[] = [{ partition: 0, offset: 0, key: 'k', value: { key: 'k', value: 1, timestamp: T0 + 1000 } }];
const large: RecordInput[] = [...small, { partition: 0, offset: 1, key: 'j', value: { key: 'j', value: 2, timestamp: T0 + 2000 } }];

/** Runs a batch to success as the event source does: redelivered (on a cold handler) while it fails. */
async function redeliverUntilDone(batch: RecordInput[], state: StateStore): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await testHarness(minutes, { state, now: () => NOW }).invoke(batch, { topic: 'in' });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** What an idle tick a minute later closes, by key. */
async function tickResults(state: StateStore): Promise<unknown[]> {
  const tick = testHarness(minutes, { state, now: () => NOW + 60_000 });
  await tick.tick();
  return tick.sink.json('out').sort((a, b) => String((a as { key: string }).key).localeCompare(String((b as { key: string }).key)));
}

describe('a windowed function under batches at once and retried deliveries', () => {
  it.each([[[0, 1]], [[1, 0]]])('holds both partitions when their first batches commit at once (commits in order %j), so the tick closes both', async (order) => {
    const state = new MemoryStateStore();
    const views = racingViews([state, state]);
    const settled = await Promise.allSettled(order.map((partition, i) => testHarness(minutes, { state: views[i]!, now: () => NOW }).invoke(firstBatch(partition), { topic: 'in' })));
    for (const [i, outcome] of settled.entries()) if (outcome.status === 'rejected') await redeliverUntilDone(firstBatch(order[i]!), state);

    expect(readPartitions(state.get('minutes!window-partitions')).map((p) => p.partition).sort()).toEqual([0, 1]);
    expect(await tickResults(state)).toEqual([
      { key: 'k0', start: T0, count: 2, mean: 2 },
      { key: 'k1', start: T0, count: 2, mean: 3 },
    ]);
    // The list's conflict is merged where it happened: neither batch had to be retried.
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
  });

  it('is completed by a redelivery whose records were all applied, when the batch failed after committing its keys and index', async () => {
    const state = new MemoryStateStore();
    const [first, second] = racingViews([state, state]);
    // The second batch's commit takes its keys and index but not the list (the first batch's list
    // came in between); then the store goes away before the list is put right.
    let calls = 0;
    const dropping: StateStore = {
      name: 'dropping',
      load: async (keys, windows) => (calls++ < 1 ? second!.load(keys, windows) : Promise.reject(new StateStoreError('connection reset'))),
      commit: async (entries) => (calls++ < 2 ? second!.commit(entries) : Promise.reject(new StateStoreError('connection reset'))),
      close: async () => {},
    };
    const settled = await Promise.allSettled([
      testHarness(minutes, { state: first!, now: () => NOW }).invoke(firstBatch(0), { topic: 'in' }),
      testHarness(minutes, { state: dropping, now: () => NOW }).invoke(firstBatch(1), { topic: 'in' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    expect(readPartitions(state.get('minutes!window-partitions')).map((p) => p.partition)).toEqual([0]);

    const retry = testHarness(minutes, { state, now: () => NOW });
    await retry.invoke(firstBatch(1), { topic: 'in' });
    expect(retry.reports.at(-1)).toMatchObject({ applied: 0, skipped: 2 });
    expect(readPartitions(state.get('minutes!window-partitions')).map((p) => p.partition).sort()).toEqual([0, 1]);
    expect(await tickResults(state)).toEqual([
      { key: 'k0', start: T0, count: 2, mean: 2 },
      { key: 'k1', start: T0, count: 2, mean: 3 },
    ]);
    // Registered once: a further delivery writes nothing.
    const again = testHarness(minutes, { state, now: () => NOW });
    await again.invoke(firstBatch(1), { topic: 'in' });
    expect(again.reports.at(-1)).toMatchObject({ committed: 0, skipped: 2 });
  });

  it('writes nothing of a delivery whose index conflicts (keys and index are one atomic commit): the redelivery applies its new records', async () => {
    // A redelivery of more records overlaps the first delivery still in flight: the first commits
    // k and the index; the larger one's index then conflicts, so neither its new key j nor anything else is written.
    const state = new MemoryStateStore();
    const [first, second] = racingViews([state, state]);
    const settled = await Promise.allSettled([
      testHarness(minutes, { state: first!, now: () => NOW }).invoke(small, { topic: 'in' }),
      testHarness(minutes, { state: second!, now: () => NOW }).invoke(large, { topic: 'in' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    expect(state.get('minutes:j')).toBeUndefined();
    const retry = testHarness(minutes, { state, now: () => NOW });
    await retry.invoke(large, { topic: 'in' });
    expect(retry.reports.at(-1)).toMatchObject({ applied: 1, skipped: 1 });
    expect(await tickResults(state)).toEqual([
      { key: 'j', start: T0, count: 1, mean: 2 },
      { key: 'k', start: T0, count: 1, mean: 1 },
    ]);
  });

  it('closes the windows of records whose keys an earlier dspfn committed without the index: a redelivery puts them in the index', async () => {
    // Before windowed commits were atomic, a delivery could commit its keys and lose its index to a
    // conflict: such state is still read right.
    const state = new MemoryStateStore();
    await testHarness(minutes, { state, now: () => NOW }).invoke(small, { topic: 'in' });
    const keysOnly: StateStore = {
      name: 'keys-only',
      load: (keys, windows) => state.load(keys, windows),
      commit: async (entries) => {
        await state.commit(entries.filter((e) => !e.key.includes('!window-index:')).map(({ atomic: _, ...entry }) => entry));
        throw new StateStoreError('the index conflicted');
      },
      close: async () => {},
    };
    await expect(testHarness(minutes, { state: keysOnly, now: () => NOW }).invoke(large, { topic: 'in' })).rejects.toThrow(StateStoreError);
    expect(state.get('minutes:j')).toBeDefined();
    const retry = testHarness(minutes, { state, now: () => NOW });
    await retry.invoke(large, { topic: 'in' });
    expect(retry.reports.at(-1)).toMatchObject({ applied: 0, skipped: 2 });
    expect(await tickResults(state)).toEqual([
      { key: 'j', start: T0, count: 1, mean: 2 },
      { key: 'k', start: T0, count: 1, mean: 1 },
    ]);
  });
});
