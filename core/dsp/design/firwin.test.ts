import { describe, expect, it } from 'vitest';
import { firwin, type FirBandType, type FirWindow } from './firwin.ts';
import { besselI0, firWindow } from './windows.ts';
import fixtures from './fixtures/firwin.json' with { type: 'json' };

interface Fixture {
  readonly type: FirBandType;
  readonly taps: number;
  readonly cutoff: number | number[];
  readonly window: FirWindow;
  readonly sampleRate: number;
  readonly coefficients?: number[];
  readonly error?: string;
}

const cases = fixtures.cases as Fixture[];
const label = (c: Fixture) => `${c.type} ${c.taps} taps, cutoff ${JSON.stringify(c.cutoff)} of fs ${c.sampleRate}, ${JSON.stringify(c.window)}`;

describe(`firwin equals scipy.signal.firwin (fixtures from scipy ${fixtures.scipy}, core/dsp/design/fixtures/generate-firwin.py)`, () => {
  it(`within 1e-9 on ${cases.filter((c) => c.coefficients).length} designs (every type, window, and 1 … 1001 taps)`, () => {
    let worst = 0;
    for (const c of cases) {
      if (!c.coefficients) continue;
      const h = firwin({ taps: c.taps, cutoff: c.cutoff, type: c.type, window: c.window, fs: c.sampleRate });
      expect(h.length, label(c)).toBe(c.coefficients.length);
      for (let i = 0; i < h.length; i++) {
        const diff = Math.abs(h[i]! - c.coefficients[i]!);
        if (!(diff <= 1e-9)) expect.fail(`${label(c)}: tap ${i} is ${h[i]}, scipy ${c.coefficients[i]}`);
        worst = Math.max(worst, diff);
      }
    }
    // Far inside the bound in practice: the same formulas, rounded differently.
    expect(worst).toBeLessThan(1e-12);
  });

  it(`refuses what scipy refuses (${cases.filter((c) => c.error).length} designs: even taps through Nyquist, edges outside (0, fs/2) or not increasing, wrong edge counts, no passband gain)`, () => {
    for (const c of cases) {
      if (!c.error) continue;
      expect(() => firwin({ taps: c.taps, cutoff: c.cutoff, type: c.type, window: c.window, fs: c.sampleRate }), label(c)).toThrow(RangeError);
    }
  });

  it('covers every type and window, odd and even lengths', () => {
    const designed = cases.filter((c) => c.coefficients);
    expect(new Set(designed.map((c) => c.type)).size).toBe(4);
    expect(new Set(designed.map((c) => JSON.stringify(c.window))).size).toBeGreaterThanOrEqual(8);
    expect(designed.some((c) => c.taps % 2 === 0) && designed.some((c) => c.taps % 2 === 1)).toBe(true);
  });

  it('defaults as scipy: Hamming window, cutoffs relative to Nyquist (fs = 2)', () => {
    const c = cases.find((f) => f.coefficients && f.window === 'hamming' && f.sampleRate === 2 && f.type === 'lowpass')!;
    expect(Array.from(firwin({ taps: c.taps, cutoff: c.cutoff, type: 'lowpass' }))).toEqual(
      Array.from(firwin({ taps: c.taps, cutoff: c.cutoff, type: 'lowpass', window: 'hamming', fs: 2 })),
    );
  });

  it('gives a low-pass filter unit gain at 0 Hz and a high-pass one unit gain at Nyquist', () => {
    const low = firwin({ taps: 51, cutoff: 100, type: 'lowpass', fs: 1000 });
    expect(low.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const high = firwin({ taps: 51, cutoff: 100, type: 'highpass', fs: 1000 });
    // H(Nyquist) = Σ h[n]·(−1)^n, taken about the centre tap (n − 25) as scipy scales it.
    expect(high.reduce((a, b, n) => a + b * ((n - 25) % 2 === 0 ? 1 : -1), 0)).toBeCloseTo(1, 12);
  });
});

describe('windows', () => {
  it('I0 matches known values', () => {
    expect(besselI0(0)).toBe(1);
    expect(besselI0(1)).toBeCloseTo(1.2660658777520082, 15);
    expect(besselI0(5) / 27.239871823604442).toBeCloseTo(1, 14);
    expect(besselI0(100) / 1.0737517071310738e42).toBeCloseTo(1, 13);
  });

  it('are symmetric, 1 at the centre of an odd length, and a single point is 1', () => {
    for (const w of ['hamming', 'hann', 'blackman', 'rectangular', { kaiser: 8 }] as FirWindow[]) {
      const v = firWindow(w, 9);
      for (let n = 0; n < 9; n++) expect(v[n]).toBeCloseTo(v[8 - n]!, 15);
      expect(v[4]).toBeCloseTo(1, 15);
      expect(Array.from(firWindow(w, 1))).toEqual([1]);
    }
  });
});
