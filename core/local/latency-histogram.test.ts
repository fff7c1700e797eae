import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.ts';
import { percentile } from './percentile.ts';

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const v of values) histogram.record(v);
  return histogram;
}

describe('LatencyHistogram', () => {
  it('gives the nearest-rank percentile exactly for whole milliseconds under a second', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1023 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 0, max: 100 }), (values, p) => {
        expect(histogramOf(values).percentile(p)).toBe(percentile(values, p));
      }),
    );
  });

  it('stays within 1/64 below the true percentile above a second, up to days', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 * 86_400_000 }), { minLength: 1, maxLength: 300 }), fc.constantFrom(50, 90, 99, 100), (values, p) => {
        const exact = percentile(values, p);
        const got = histogramOf(values).percentile(p);
        expect(got).toBeLessThanOrEqual(exact);
        expect(got).toBeGreaterThanOrEqual(exact < 1024 ? exact : exact / (1 + 1 / 64));
      }),
    );
  });

  it('counts clock skew (a record stamped in the future) as 0 ms, and is 0 when empty', () => {
    expect(new LatencyHistogram().percentile(99)).toBe(0);
    const histogram = histogramOf([-5, 3]);
    expect([histogram.count, histogram.percentile(50), histogram.percentile(100)]).toEqual([2, 0, 3]);
  });
});
