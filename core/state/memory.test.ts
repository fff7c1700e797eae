import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from './memory.ts';
import type { StateEntry } from './store.ts';

describe('MemoryStateStore', () => {
  it('keeps what was committed, whatever the committer does with its entry afterwards', async () => {
    const store = new MemoryStateStore();
    const shared = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const offsets = [{ topic: 'in', partition: 0, offset: 4 }];
    const entry: StateEntry = { key: 'f:a', snapshot: shared.subarray(2, 6), offsets, expected: null };
    expect(await store.commit([entry])).toEqual([{ key: 'f:a', status: 'committed' }]);
    shared.fill(0);
    offsets[0]!.offset = 99;
    offsets.push({ topic: 'in', partition: 1, offset: 1 });
    const loaded = (await store.load(['f:a'])).get('f:a')!;
    expect(Array.from(loaded.snapshot)).toEqual([3, 4, 5, 6]);
    expect(loaded.offsets).toEqual([{ topic: 'in', partition: 0, offset: 4 }]);
    // The next commit is fenced on what was stored, not on the committer's changed offsets.
    expect(await store.commit([{ ...entry, offsets: [{ topic: 'in', partition: 0, offset: 5 }], expected: [{ topic: 'in', partition: 0, offset: 99 }] }])).toEqual([
      { key: 'f:a', status: 'conflict' },
    ]);
  });

  it('writes none of an atomic commit when one of its entries conflicts, and the others of the commit', async () => {
    const store = new MemoryStateStore();
    const at = (offset: number) => [{ topic: 'in', partition: 0, offset }];
    await store.commit([{ key: 'x', snapshot: Uint8Array.of(1), offsets: at(5), expected: null }]);
    const results = await store.commit([
      { key: 'y', snapshot: Uint8Array.of(2), offsets: at(1), expected: null, atomic: true },
      { key: 'x', snapshot: Uint8Array.of(3), offsets: at(6), expected: at(4), atomic: true },
      { key: 'z', snapshot: Uint8Array.of(4), offsets: at(1), expected: null },
    ]);
    expect(results).toEqual([
      { key: 'y', status: 'conflict' },
      { key: 'x', status: 'conflict' },
      { key: 'z', status: 'committed' },
    ]);
    expect(store.keys().sort()).toEqual(['x', 'z']);
    expect(Array.from(store.get('x')!.snapshot)).toEqual([1]);
  });
});
