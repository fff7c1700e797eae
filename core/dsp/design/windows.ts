/**
 * The windows an FIR design multiplies its ideal impulse response by, as
 * `scipy.signal.get_window(window, M, fftbins=False)` computes them: symmetric, M points, the
 * cosine windows from `linspace(−π, π, M)` as scipy's `general_cosine`, Kaiser from the modified
 * Bessel function I0. Computed once when a stage is declared (never per sample).
 */

/** 'rectangular' is scipy's 'boxcar'; `{ kaiser: beta }` is `('kaiser', beta)`. */
export type FirWindow = 'hamming' | 'hann' | 'blackman' | 'rectangular' | { readonly kaiser: number };

/** Largest Kaiser beta accepted (I0(beta) stays far from overflow; designs use 0 … ~20). */
export const MAX_KAISER_BETA = 100;

/** Cosine-sum coefficients a[k] of w = Σ a[k]·cos(k·φ), φ from −π to π. */
const COSINE_SUMS = {
  hamming: [0.54, 0.46],
  hann: [0.5, 0.5],
  blackman: [0.42, 0.5, 0.08],
} as const;

/** The symmetric window of `length` points. */
export function firWindow(window: FirWindow, length: number): Float64Array {
  const w = new Float64Array(length);
  if (length === 1 || window === 'rectangular') return w.fill(1);
  if (typeof window === 'object') return kaiser(w, window.kaiser);
  const a = COSINE_SUMS[window];
  const step = (2 * Math.PI) / (length - 1);
  for (let n = 0; n < length; n++) {
    // numpy.linspace(−π, π, M): start + n·step, its last point exactly π.
    const phi = n === length - 1 ? Math.PI : -Math.PI + n * step;
    let sum = 0;
    for (let k = 0; k < a.length; k++) sum += a[k]! * Math.cos(k * phi);
    w[n] = sum;
  }
  return w;
}

/** w[n] = I0(beta·sqrt(1 − ((n − α)/α)²)) / I0(beta), α = (M − 1)/2. */
function kaiser(w: Float64Array, beta: number): Float64Array {
  const alpha = (w.length - 1) / 2;
  const norm = besselI0(beta);
  for (let n = 0; n < w.length; n++) {
    const r = (n - alpha) / alpha;
    w[n] = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
  }
  return w;
}

/**
 * The modified Bessel function of the first kind, order 0: Σ ((x/2)^k / k!)². Every term is
 * positive, so the partial sums lose nothing to cancellation; stops when a term no longer changes
 * the sum (about x + 20 terms).
 */
export function besselI0(x: number): number {
  const q = (x / 2) * (x / 2);
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 1000; k++) {
    term *= q / (k * k);
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return sum;
}
