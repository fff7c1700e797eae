import { sinCos2Pi } from './spectral-math.ts';

/**
 * The power spectrum of a real frame, |X_k|² for k = 0 … N/2 of X = rfft(window·frame): the
 * reference for layers/dsp/src/families/spectral/fft.c, which performs the same float64
 * operations on every element in the same order (its SIMD paths put independent butterflies in
 * lanes, so every path gives these bits).
 *
 * The algorithm (ours): the N real samples are packed as M = N/2 complex values
 * z[n] = x[2n] + i·x[2n+1]; a Stockham autosort radix-4 decimation-in-frequency FFT of size M
 * (stages of length n = M, M/4, …, each reading src[q + s·(p + m·j)] and writing
 * dst[q + s·(4p + j)], j = 0…3, m = n/4, s = M/n; the first stages multiply by the twiddles
 * W_n^{jp}, a last stage of length 4 or 2 needs none); then Z is split into the spectra of the even
 * and odd samples and recombined: X[k] = ½(E + W_N^k·O′) with E = Z[k] + conj(Z[M−k]),
 * O = Z[k] − conj(Z[M−k]) — computed for k and M−k together.
 */
export class RealFft {
  readonly size: number;
  private readonly m: number;
  /** W_N^k = twr[k] + i·twi[k] = e^(−2πik/N), k < 3N/4. */
  private readonly twr: Float64Array;
  private readonly twi: Float64Array;
  private readonly are: Float64Array;
  private readonly aim: Float64Array;
  private readonly bre: Float64Array;
  private readonly bim: Float64Array;

  constructor(size: number) {
    this.size = size;
    this.m = size / 2;
    const tables = twiddles(size);
    this.twr = tables.re;
    this.twi = tables.im;
    this.are = new Float64Array(this.m);
    this.aim = new Float64Array(this.m);
    this.bre = new Float64Array(this.m);
    this.bim = new Float64Array(this.m);
  }

  /** power[k] = |X_k|², k = 0 … N/2, of the frame `x[from … from+N)` times `window`. */
  power(x: Float32Array, from: number, window: Float64Array, power: Float64Array): void {
    const M = this.m;

    let sr = this.are;
    let si = this.aim;
    let dr = this.bre;
    let di = this.bim;
    for (let n = 0; n < M; n++) {
      sr[n] = x[from + 2 * n]! * window[2 * n]!;
      si[n] = x[from + 2 * n + 1]! * window[2 * n + 1]!;
    }
    let n = M;
    let s = 1;
    while (n >= 8) {
      this.stage(n, s, sr, si, dr, di);
      [sr, si, dr, di] = [dr, di, sr, si];
      n /= 4;
      s *= 4;
    }
    if (n === 4) {
      lastStage4(s, sr, si, dr, di);
      [sr, si] = [dr, di];
    } else {
      lastStage2(s, sr, si, dr, di);
      [sr, si] = [dr, di];
    }
    // sr/si hold Z in natural order.
    const twr = this.twr;
    const twi = this.twi;
    const u0 = sr[0]! + si[0]!;
    const v0 = sr[0]! - si[0]!;
    power[0] = u0 * u0;
    power[M] = v0 * v0;
    for (let k = 1; k < M / 2; k++) {
      const zr = sr[k]!;
      const zi = si[k]!;
      const yr = sr[M - k]!;
      const yi = si[M - k]!;
      const er = zr + yr;
      const ei = zi - yi;
      const or = zr - yr;
      const oi = zi + yi;
      const c = twr[k]!;
      const w = twi[k]!;
      const a = c * oi + w * or;
      const b = c * or - w * oi;
      const u = er + a;
      const v = ei - b;
      const u2 = er - a;
      const v2 = ei + b;
      power[k] = (u * u + v * v) * 0.25;
      power[M - k] = (u2 * u2 + v2 * v2) * 0.25;
    }
    const h = M / 2;
    power[h] = sr[h]! * sr[h]! + si[h]! * si[h]!;
  }

  /** One radix-4 stage of length n ≥ 8 with twiddles. */
  private stage(n: number, s: number, sr: Float64Array, si: Float64Array, dr: Float64Array, di: Float64Array): void {
    const m = n / 4;
    const step = this.size / n;
    const twr = this.twr;
    const twi = this.twi;
    for (let p = 0; p < m; p++) {
      const k1 = p * step;
      const w1r = twr[k1]!;
      const w1i = twi[k1]!;
      const w2r = twr[2 * k1]!;
      const w2i = twi[2 * k1]!;
      const w3r = twr[3 * k1]!;
      const w3i = twi[3 * k1]!;
      const ia = s * p;
      const ib = s * (p + m);
      const ic = s * (p + 2 * m);
      const id = s * (p + 3 * m);
      const o = s * 4 * p;
      for (let q = 0; q < s; q++) {
        const ar = sr[ia + q]!;
        const ai = si[ia + q]!;
        const br = sr[ib + q]!;
        const bi = si[ib + q]!;
        const cr = sr[ic + q]!;
        const ci = si[ic + q]!;
        const xr = sr[id + q]!;
        const xi = si[id + q]!;
        const apcr = ar + cr;
        const apci = ai + ci;
        const amcr = ar - cr;
        const amci = ai - ci;
        const bpdr = br + xr;
        const bpdi = bi + xi;
        const bmdr = br - xr;
        const bmdi = bi - xi;
        dr[o + q] = apcr + bpdr;
        di[o + q] = apci + bpdi;
        const t1r = amcr + bmdi;
        const t1i = amci - bmdr;
        const t2r = apcr - bpdr;
        const t2i = apci - bpdi;
        const t3r = amcr - bmdi;
        const t3i = amci + bmdr;
        dr[o + s + q] = t1r * w1r - t1i * w1i;
        di[o + s + q] = t1r * w1i + t1i * w1r;
        dr[o + 2 * s + q] = t2r * w2r - t2i * w2i;
        di[o + 2 * s + q] = t2r * w2i + t2i * w2r;
        dr[o + 3 * s + q] = t3r * w3r - t3i * w3i;
        di[o + 3 * s + q] = t3r * w3i + t3i * w3r;
      }
    }
  }
}

/** The last radix-4 stage (n = 4, p = 0): no twiddles. */
function lastStage4(s: number, sr: Float64Array, si: Float64Array, dr: Float64Array, di: Float64Array): void {
  for (let q = 0; q < s; q++) {
    const ar = sr[q]!;
    const ai = si[q]!;
    const br = sr[s + q]!;
    const bi = si[s + q]!;
    const cr = sr[2 * s + q]!;
    const ci = si[2 * s + q]!;
    const xr = sr[3 * s + q]!;
    const xi = si[3 * s + q]!;
    const apcr = ar + cr;
    const apci = ai + ci;
    const amcr = ar - cr;
    const amci = ai - ci;
    const bpdr = br + xr;
    const bpdi = bi + xi;
    const bmdr = br - xr;
    const bmdi = bi - xi;
    dr[q] = apcr + bpdr;
    di[q] = apci + bpdi;
    dr[s + q] = amcr + bmdi;
    di[s + q] = amci - bmdr;
    dr[2 * s + q] = apcr - bpdr;
    di[2 * s + q] = apci - bpdi;
    dr[3 * s + q] = amcr - bmdi;
    di[3 * s + q] = amci + bmdr;
  }
}

/** The last radix-2 stage (n = 2) when log₂ M is odd. */
function lastStage2(s: number, sr: Float64Array, si: Float64Array, dr: Float64Array, di: Float64Array): void {
  for (let q = 0; q < s; q++) {
    const ar = sr[q]!;
    const ai = si[q]!;
    const br = sr[s + q]!;
    const bi = si[s + q]!;
    dr[q] = ar + br;
    di[q] = ai + bi;
    dr[s + q] = ar - br;
    di[s + q] = ai - bi;
  }
}

const tableCache = new Map<number, { re: Float64Array; im: Float64Array }>();

/** W_N^k = cos(2πk/N) − i·sin(2πk/N) for k < 3N/4 (shared, read-only). */
export function twiddles(size: number): { re: Float64Array; im: Float64Array } {
  let tables = tableCache.get(size);
  if (!tables) {
    const count = (3 * size) / 4;
    tables = { re: new Float64Array(count), im: new Float64Array(count) };
    for (let k = 0; k < count; k++) {
      const [s, c] = sinCos2Pi(k, size);
      tables.re[k] = c;
      tables.im[k] = -s;
    }
    tableCache.set(size, tables);
  }
  return tables;
}
