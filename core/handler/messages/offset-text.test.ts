// offsetText must be String(offset) exactly, and must not leave its strings behind in V8's
// number-string cache (which keeps them alive through young-generation collections).
import fc from 'fast-check';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { offsetText } from './offset-text.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

function newSpaceUsed(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
}

describe('offsetText', () => {
  it('is String(offset) for every offset', () => {
    for (let n = 0; n < 200_000; n++) expect(offsetText(n)).toBe(String(n));
    for (const n of [999, 1000, 1001, 10_000, 999_999_999_999, 1_000_000_000_000, 2 ** 31, 2 ** 53 - 1, 9_007_199_254_740_000]) expect(offsetText(n)).toBe(String(n));
    fc.assert(fc.property(fc.maxSafeNat(), (n) => offsetText(n) === String(n)));
  });

  it('is String(value) for what is not an offset', () => {
    for (const n of [-1, -1001, 1000.5, 2 ** 53, 1e21, Number.NaN, Number.POSITIVE_INFINITY, -0]) expect(offsetText(n)).toBe(String(n));
  });

  it('leaves no string alive once a young-generation collection ran', () => {
    // 20,000 fresh offsets (~24 bytes a string): kept anywhere, they would stay in new space.
    const base = 100_000_000 + Math.floor(Math.random() * 800_000) * 1000;
    let length = 0;
    gc({ type: 'minor' });
    gc({ type: 'minor' });
    const before = newSpaceUsed();
    for (let i = 0; i < 20_000; i++) length += offsetText(base + i).length;
    gc({ type: 'minor' });
    const grown = newSpaceUsed() - before;
    expect(length).toBe(20_000 * 9);
    expect(grown).toBeLessThan(100_000);
  });
});
