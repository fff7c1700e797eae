/**
 * The designs against scipy (fixtures/scipy-designs.json, written by fixtures/generate.py): every
 * section coefficient within 1e-9 — numerators relative to the section's largest numerator
 * coefficient (a narrow low-pass carries its tiny overall gain in section 0), denominators absolute.
 */
import { describe, expect, it } from 'vitest';
import data from './fixtures/scipy-designs.json' with { type: 'json' };
import { butterworthSections, chebyshev1Sections, cutoffProblem, type FilterType } from './iirfilter.ts';
import { highShelfSection, lowShelfSection, notchSection, peakingEqSection } from './second-order.ts';
import { roots } from './polynomial.ts';
import type { Section } from './sos.ts';

const TOLERANCE = 1e-9;

/** The largest coefficient error as the header says, 0 when every coefficient matches. */
function sectionError(got: Section, want: readonly number[]): number {
  const scale = Math.max(Math.abs(want[0]!), Math.abs(want[1]!), Math.abs(want[2]!), Number.MIN_VALUE);
  return Math.max(
    Math.abs(got.b0 - want[0]!) / scale,
    Math.abs(got.b1 - want[1]!) / scale,
    Math.abs(got.b2 - want[2]!) / scale,
    Math.abs(got.a1 - want[3]!),
    Math.abs(got.a2 - want[4]!),
  );
}

interface IirCase {
  ftype: string;
  type: FilterType;
  order: number;
  cutoff: number | [number, number];
  sampleRate: number;
  rippleDb?: number;
  sections: number[][];
}

describe('butterworth and chebyshev1 designs equal scipy.signal.butter / cheby1(output="sos")', () => {
  const cases = data.iirfilter as IirCase[];
  for (const ftype of ['butter', 'cheby1']) {
    for (const type of ['lowpass', 'highpass', 'bandpass', 'bandstop'] as const) {
      const group = cases.filter((c) => c.ftype === ftype && c.type === type);
      it(`${ftype} ${type}: ${group.length} designs (orders 1–16, four sample rates, edges near 0 and Nyquist)`, () => {
        expect(group.length).toBeGreaterThan(40);
        for (const c of group) {
          const design = { type: c.type, order: c.order, cutoff: c.cutoff, sampleRate: c.sampleRate };
          const got = ftype === 'butter' ? butterworthSections(design) : chebyshev1Sections({ ...design, rippleDb: c.rippleDb! });
          const label = JSON.stringify({ ...c, sections: undefined });
          expect(got.length, label).toBe(c.sections.length);
          const worst = Math.max(...got.map((s, i) => sectionError(s, c.sections[i]!)));
          expect(worst, label).toBeLessThanOrEqual(TOLERANCE);
        }
      });
    }
  }

  it('gives a band type of order N 2N poles, as scipy does', () => {
    expect(butterworthSections({ type: 'bandpass', order: 3, cutoff: [100, 200], sampleRate: 1000 })).toHaveLength(3);
    expect(butterworthSections({ type: 'lowpass', order: 3, cutoff: 100, sampleRate: 1000 })).toHaveLength(2);
  });

  it('refuses cutoffs that do not fit the type or lie outside (0, sampleRate/2)', () => {
    expect(cutoffProblem('lowpass', 100, 1000)).toBeUndefined();
    expect(cutoffProblem('lowpass', 500, 1000)).toMatch(/< sampleRate\/2 \(500 Hz\)/);
    expect(cutoffProblem('highpass', 0, 1000)).toMatch(/> 0/);
    expect(cutoffProblem('bandpass', 100, 1000)).toMatch(/needs cutoff: \[low, high\]/);
    expect(cutoffProblem('lowpass', [1, 2], 1000)).toMatch(/one cutoff/);
    expect(cutoffProblem('bandstop', [200, 100], 1000)).toMatch(/low < high/);
    expect(() => butterworthSections({ type: 'lowpass', order: 2, cutoff: 600, sampleRate: 1000 })).toThrow(RangeError);
  });
});

describe('second-order designs', () => {
  it(`notch equals scipy.signal.iirnotch (${data.notch.length} designs)`, () => {
    for (const c of data.notch) expect(sectionError(notchSection(c), c.section), JSON.stringify(c)).toBeLessThanOrEqual(TOLERANCE);
  });

  const designs = { peakingEq: peakingEqSection, lowShelf: lowShelfSection, highShelf: highShelfSection } as const;
  it(`peakingEq, lowShelf, highShelf equal the Audio EQ Cookbook formulas computed in numpy (${data.eq.length} designs)`, () => {
    for (const c of data.eq) {
      const got = designs[c.kind as keyof typeof designs](c);
      expect(sectionError(got, c.section), JSON.stringify(c)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  /** |H(e^{iω})| in dB. */
  function responseDb(s: Section, hz: number, sampleRate: number): number {
    const w = (2 * Math.PI * hz) / sampleRate;
    const re = (c0: number, c1: number, c2: number) => c0 + c1 * Math.cos(w) + c2 * Math.cos(2 * w);
    const im = (c1: number, c2: number) => -(c1 * Math.sin(w) + c2 * Math.sin(2 * w));
    const num = Math.hypot(re(s.b0, s.b1, s.b2), im(s.b1, s.b2));
    const den = Math.hypot(re(1, s.a1, s.a2), im(s.a1, s.a2));
    return 20 * Math.log10(num / den);
  }

  it('have the gains their names promise', () => {
    const d = { frequency: 1000, q: 0.707, gainDb: 9, sampleRate: 48_000 };
    expect(responseDb(peakingEqSection(d), 1000, 48_000)).toBeCloseTo(9, 9);
    expect(Math.abs(responseDb(peakingEqSection(d), 10, 48_000))).toBeLessThan(0.05);
    expect(responseDb(lowShelfSection(d), 0, 48_000)).toBeCloseTo(9, 9);
    expect(responseDb(lowShelfSection(d), 24_000, 48_000)).toBeCloseTo(0, 9);
    expect(responseDb(lowShelfSection(d), 1000, 48_000)).toBeCloseTo(4.5, 9);
    expect(responseDb(highShelfSection(d), 24_000, 48_000)).toBeCloseTo(9, 9);
    expect(responseDb(highShelfSection(d), 0, 48_000)).toBeCloseTo(0, 9);
    const notch = notchSection({ frequency: 60, q: 30, sampleRate: 1000 });
    expect(responseDb(notch, 60, 1000)).toBeLessThan(-200);
    expect(responseDb(notch, 61, 1000)).toBeCloseTo(-3.01, 0);
  });
});

describe('polynomial roots (the companion matrix, balanced, by Hessenberg QR) equal numpy.roots', () => {
  it(`${data.roots.length} polynomials of degree 2 to 32, and Butterworth denominators`, () => {
    for (const c of data.roots) {
      const got = roots(c.coefficients);
      expect(got, JSON.stringify(c.coefficients)).toHaveLength(c.roots.length);
      // Greedy nearest matching: every numpy root has its own computed root within 1e-9 of its scale.
      const left = [...got];
      for (const [re, im] of c.roots) {
        let best = 0;
        left.forEach((z, i) => {
          if (Math.hypot(z.re - re!, z.im - im!) < Math.hypot(left[best]!.re - re!, left[best]!.im - im!)) best = i;
        });
        const z = left.splice(best, 1)[0]!;
        expect(Math.hypot(z.re - re!, z.im - im!), `${JSON.stringify(c.coefficients)}: root ${re} ${im}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.hypot(re!, im!)));
        // Conjugate pairs are exact, real roots exactly real.
        if (im === 0) expect(z.im).toBe(0);
      }
    }
  });

  it('drops leading zeros and keeps trailing ones as roots at 0', () => {
    expect(roots([0, 1, -2])).toEqual([{ re: 2, im: 0 }]);
    expect(roots([1, -1, 0]).map((z) => z.re).sort()).toEqual([0, 1]);
    expect(roots([0, 0])).toEqual([]);
  });
});
