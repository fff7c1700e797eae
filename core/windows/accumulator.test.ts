import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addFrame, countOf, mergeInto, newAccumulator, results, AGGREGATES } from './accumulator.ts';

interface Frame {
  time: number;
  offset: number;
  value: number;
}

function accumulate(frames: readonly Frame[]): Float64Array {
  const acc = newAccumulator(1);
  for (const f of frames) addFrame(acc, 1, [f.value], 0, f.time, f.offset, 0);
  return acc;
}

const frames = fc.array(
  fc.record({ time: fc.integer({ min: 0, max: 50 }), offset: fc.nat(1000), value: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }),
  { minLength: 1, maxLength: 40 },
);

describe('window statistics', () => {
  it('merging the statistics of two parts equals accumulating the whole (Chan et al.), whatever the split', () => {
    fc.assert(
      fc.property(frames, frames, fc.double({ min: -1e5, max: 1e5, noNaN: true }), (a, b, dc) => {
        const shift = (fs: Frame[]) => fs.map((f, i) => ({ ...f, value: f.value / 1e3 + dc, offset: f.offset * 100 + i }));
        const left = shift(a);
        const right = shift(b).map((f) => ({ ...f, offset: f.offset + 1 }));
        const merged = accumulate(left);
        mergeInto(merged, accumulate(right), 1);
        const whole = accumulate([...left, ...right]);
        const [m] = results(merged, 1, AGGREGATES);
        const [w] = results(whole, 1, AGGREGATES);
        expect(countOf(merged)).toBe(left.length + right.length);
        for (const name of ['count', 'min', 'max', 'first', 'last'] as const) expect(m![name]).toBe(w![name]);
        const scale = 1 + Math.abs(dc) + 1e3;
        for (const name of ['mean', 'rms'] as const) expect(Math.abs(m![name]! - w![name]!)).toBeLessThanOrEqual(1e-12 * scale);
        expect(Math.abs(m!.sum! - w!.sum!)).toBeLessThanOrEqual(1e-12 * scale * countOf(whole));
        const xs = [...left, ...right].map((f) => f.value);
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
        expect(Math.abs(m!.stddev! - std)).toBeLessThanOrEqual(1e-9 * (1 + std));
      }),
      { numRuns: 500 },
    );
  });

  it('first and last follow event time, equal times going by arrival', () => {
    const acc = accumulate([
      { time: 5, offset: 1, value: 1 },
      { time: 3, offset: 2, value: 2 },
      { time: 3, offset: 3, value: 3 },
      { time: 9, offset: 4, value: 4 },
      { time: 9, offset: 5, value: 5 },
    ]);
    expect(results(acc, 1, ['first', 'last'])).toEqual([{ first: 2, last: 5 }]);
    const later = accumulate([{ time: 3, offset: 0, value: 7 }]);
    mergeInto(later, acc, 1);
    expect(results(later, 1, ['first', 'last', 'count'])).toEqual([{ first: 7, last: 5, count: 6 }]);
  });
});
