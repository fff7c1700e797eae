/**
 * The portable logarithm: within 1 ulp of Math.log (fdlibm's bound) over the whole range of
 * positive normal doubles, exact at 1, and its ratio form never overflows.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../testing/random.ts';
import { lnRatio, powerRatioDb, POWER_FLOOR } from './portable-log.ts';

describe('portable log', () => {
  it('ln(a/b) is within 1 ulp of Math.log over random ratios', () => {
    const random = mulberry32(9);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const a = Math.exp((random() - 0.5) * 600);
      const b = Math.exp((random() - 0.5) * 600);
      const want = Math.log(a / b);
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want))) - 52);
      worst = Math.max(worst, Math.abs(lnRatio(a, b) - want) / ulp);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('is exact at 1 and at powers of two, and spans the whole exponent range', () => {
    expect(lnRatio(1, 1)).toBe(0);
    expect(lnRatio(5.5, 5.5)).toBe(0);
    expect(lnRatio(2, 1)).toBe(Math.LN2);
    expect(lnRatio(Number.MAX_VALUE, POWER_FLOOR)).toBeCloseTo(Math.log(Number.MAX_VALUE) - Math.log(POWER_FLOOR), 10);
    expect(lnRatio(POWER_FLOOR, Number.MAX_VALUE)).toBeCloseTo(Math.log(POWER_FLOOR) - Math.log(Number.MAX_VALUE), 10);
  });

  it('power ratios in dB: floors exact zeros, propagates NaN', () => {
    expect(powerRatioDb(100, 1)).toBeCloseTo(20, 12);
    expect(powerRatioDb(0, 0)).toBe(0);
    expect(powerRatioDb(1, 0)).toBeCloseTo(10 * 1022 * Math.log10(2), 9);
    expect(Number.isNaN(powerRatioDb(Number.NaN, 1))).toBe(true);
    expect(Number.isNaN(powerRatioDb(1, Number.NaN))).toBe(true);
  });
});
