/**
 * The transcendental functions of the spectral stages, written so that TypeScript and C
 * (layers/dsp/src/families/spectral/spectral_math.c) compute them with the same IEEE operations in
 * the same order, and so give the same bits: V8's Math.sin/log/exp and the C library's are
 * different implementations and differ in the last bit now and then.
 *
 * Each is a fixed sequence of + − × ÷ on float64 (and exact integer/bit manipulation): an exact
 * argument reduction (integers for the angles, the exponent bits for the logarithm), then a
 * truncated Taylor series whose truncation error is below 2⁻⁵⁶ on the reduced range. Accuracy: within a
 * few units in the last place (checked against Math.* in spectral-math.test.ts).
 */

const PI_HALF = 1.5707963267948966;
/** (−1)ᵏ/(2k+1)!, k = 1…9: sin x = x + x·z·(S1 + z·(S2 + …)), z = x² */
const S = [
  -0.16666666666666666, 0.008333333333333333, -0.0001984126984126984, 0.0000027557319223985893, -2.505210838544172e-8,
  1.6059043836821613e-10, -7.647163731819816e-13, 2.8114572543455206e-15, -8.22063524662433e-18,
] as const;
/** (−1)ᵏ/(2k)!, k = 1…9: cos x = 1 + z·(C1 + z·(C2 + …)) */
const C = [
  -0.5, 0.041666666666666664, -0.001388888888888889, 0.0000248015873015873, -2.755731922398589e-7, 2.08767569878681e-9,
  -1.1470745597729725e-11, 4.779477332387385e-14, -1.5619206968586225e-16,
] as const;

let sinOut = 0;
let cosOut = 0;

/** sin and cos of x ∈ [0, π/4] into sinOut/cosOut. */
function sinCosReduced(x: number): void {
  const z = x * x;
  let ps = S[8];
  for (let k = 7; k >= 0; k--) ps = S[k]! + z * ps;
  let pc = C[8];
  for (let k = 7; k >= 0; k--) pc = C[k]! + z * pc;
  sinOut = x + x * (z * ps);
  cosOut = 1 + z * pc;
}

/**
 * [sin(2πk/n), cos(2πk/n)] for whole numbers k ≥ 0 and n ≥ 1 (k·4 and n below 2⁵¹). The angle is
 * reduced exactly in integers to x = (π/2)·r/n ∈ [0, π/4] and a quadrant.
 */
export function sinCos2Pi(k: number, n: number): [number, number] {
  const k4 = (k % n) * 4;
  let q = 0;
  while ((q + 1) * n <= k4) q++; // integer k4 div n (q ≤ 3), as C's
  const r = k4 - q * n;
  let s: number;
  let c: number;
  if (2 * r <= n) {
    sinCosReduced((r * PI_HALF) / n);
    s = sinOut;
    c = cosOut;
  } else {
    sinCosReduced(((n - r) * PI_HALF) / n);
    s = cosOut;
    c = sinOut;
  }
  switch (q) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}

const bits = new DataView(new ArrayBuffer(8));
const SQRT2 = 1.4142135623730951;
const LN2_HI = 0.6931471803691238; // ln 2 with its low 32 bits zero: e·LN2_HI is exact
const LN2_LO = 1.9082149292705877e-10; // ln 2 − LN2_HI
const TWO54 = 18014398509481984;
/** 1/(2k+1), k = 1…10 */
const L = [
  0.3333333333333333, 0.2, 0.14285714285714285, 0.1111111111111111, 0.09090909090909091, 0.07692307692307693,
  0.06666666666666667, 0.058823529411764705, 0.05263157894736842, 0.047619047619047616,
] as const;

/** Natural logarithm: ln x = e·ln 2 + ln m, m ∈ [√½, √2], ln m = 2·atanh(f/(2+f)), f = m − 1. */
export function ln(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : Number.NaN;
  if (x === Infinity) return x;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO54; // subnormal: scale into the normal range (exact)
    e = -54;
  }
  bits.setFloat64(0, x, true);
  const hi = bits.getUint32(4, true);
  e += (hi >>> 20) - 1023;
  bits.setUint32(4, (hi & 0x000fffff) | 0x3ff00000, true);
  let m = bits.getFloat64(0, true);
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  let p = L[9];
  for (let k = 8; k >= 0; k--) p = L[k]! + z * p;
  const r = z * p; // atanh(s)/s − 1
  // ln(1 + f) = 2s + 2s·r = f − s·(f − 2r), since 2s = f − s·f
  const lnm = f - s * (f - 2 * r);
  return e * LN2_LO + lnm + e * LN2_HI;
}

const INV_LN2 = 1.4426950408889634;
/** 1/k!, k = 2…13 */
const E = [
  0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333, 0.001388888888888889, 0.0001984126984126984,
  0.0000248015873015873, 0.0000027557319223985893, 2.755731922398589e-7, 2.505210838544172e-8, 2.08767569878681e-9,
  1.6059043836821613e-10,
] as const;

/** 2^k for whole k in −1022 … 1023. */
function pow2(k: number): number {
  bits.setUint32(0, 0, true);
  bits.setUint32(4, (k + 1023) << 20, true);
  return bits.getFloat64(0, true);
}

/** e^x = 2^k·e^r, k = floor(x/ln 2 + ½), |r| ≤ ln 2/2 (Cody–Waite with LN2_HI/LO). */
export function exp(x: number): number {
  if (x !== x) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const t = x * INV_LN2 + 0.5;
  let k = Math.trunc(t);
  if (k > t) k -= 1;
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = E[11];
  for (let j = 10; j >= 0; j--) p = E[j]! + r * p;
  const y = 1 + r * (1 + r * p);
  if (k > 1023) return y * pow2(1023) * pow2(k - 1023);
  if (k < -1022) return y * pow2(k + 1000) * pow2(-1000);
  return y * pow2(k);
}

/** 10/ln 10: decibels from a natural logarithm of power. */
export const DB_PER_NEPER_POWER = 4.3429448190325175;
export const LN10 = 2.302585092994046;
