import { binHz } from './spectral.options.ts';
import { exp, LN10, ln, sinCos2Pi } from './spectral-math.ts';

/** HTK mel of f Hz: 2595·log10(1 + f/700). */
export function melOf(hz: number): number {
  return (2595 * ln(1 + hz / 700)) / LN10;
}

/** Hz of an HTK mel: 700·(10^(mel/2595) − 1). */
export function hzOf(mel: number): number {
  return 700 * (exp((mel * LN10) / 2595) - 1);
}

/** The melBands + 2 filter edges in Hz, equally spaced in mel from 0 to sampleRate/2. */
export function melEdges(sampleRate: number, melBands: number): Float64Array {
  const top = melOf(sampleRate / 2);
  const step = top / (melBands + 1);
  const edges = new Float64Array(melBands + 2);
  for (let i = 0; i <= melBands; i++) edges[i] = hzOf(i * step);
  edges[melBands + 1] = hzOf(top);
  return edges;
}

export interface MelFilter {
  /** The first bin with a weight. */
  readonly first: number;
  /** Weights of bins first, first + 1, … (all > 0). */
  readonly weights: Float64Array;
}

/**
 * Triangular filters with unit peak on the HTK mel scale (librosa.filters.mel(htk=True,
 * norm=None)): filter m weighs bin k at f = k·sampleRate/size by min((f − lo)/(c − lo),
 * (hi − f)/(hi − c)) for lo < f < hi, lo, c, hi = edges m, m + 1, m + 2.
 * layers/dsp/src/families/spectral/mel.c computes the same weights.
 */
export function melFilters(size: number, sampleRate: number, melBands: number): MelFilter[] {
  const edges = melEdges(sampleRate, melBands);
  const bins = size / 2 + 1;
  const filters: MelFilter[] = [];
  let k0 = 0;
  for (let m = 0; m < melBands; m++) {
    const lo = edges[m]!;
    const c = edges[m + 1]!;
    const hi = edges[m + 2]!;
    while (k0 < bins && binHz(k0, sampleRate, size) <= lo) k0++;
    const weights: number[] = [];
    for (let k = k0; k < bins; k++) {
      const f = binHz(k, sampleRate, size);
      if (!(f < hi)) break;
      const lower = (f - lo) / (c - lo);
      const upper = (hi - f) / (hi - c);
      weights.push(lower < upper ? lower : upper);
    }
    filters.push({ first: k0, weights: Float64Array.from(weights) });
  }
  return filters;
}

/** The first mel band without a single FFT bin, or -1. */
export function emptyMelBand(size: number, sampleRate: number, melBands: number): number {
  return melFilters(size, sampleRate, melBands).findIndex((f) => f.weights.length === 0);
}

/** ln(Σ w·|X_k|² + 1e-10) per mel band, the sums in ascending k. */
export function melLogs(filters: readonly MelFilter[], power: Float64Array, logs: Float64Array): void {
  for (let m = 0; m < filters.length; m++) {
    const { first, weights } = filters[m]!;
    let sum = 0;
    for (let j = 0; j < weights.length; j++) sum += weights[j]! * power[first + j]!;
    logs[m] = ln(sum + 1e-10);
  }
}

/** The orthonormal DCT-II rows 0 … coefficients−1 over melBands points: cos(π·j·(2m+1)/(2·melBands)). */
export function dctRows(coefficients: number, melBands: number): Float64Array {
  const rows = new Float64Array(coefficients * melBands);
  for (let j = 0; j < coefficients; j++) for (let m = 0; m < melBands; m++) rows[j * melBands + m] = sinCos2Pi(j * (2 * m + 1), 4 * melBands)[1];
  return rows;
}

/** √(1/M) for row 0, √(2/M) for the others: the orthonormal scaling. */
export function dctScale(j: number, melBands: number): number {
  return j === 0 ? Math.sqrt(1 / melBands) : Math.sqrt(2 / melBands);
}
