/**
 * Logarithms for the per-sample path that both backends compute bit for bit: Math.log and the C
 * library's log may differ in the last bit, so stages that need a logarithm per sample (snr's
 * decibels) use this one, written in IEEE operations (+ − × ÷ and exponent/mantissa bit moves) that
 * layers/dsp/src/common/lane_log.h performs in the same order on every path. The method is fdlibm's
 * e_log.c (its reduction to [√2/2, √2] and polynomial, error below 1 ulp), applied to a ratio so
 * that a/b never overflows or underflows.
 */

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;
const SQRT2 = 1.4142135623730951;
const SQRT1_2 = 0.7071067811865476;

/** 10 / ln 10: decibels of a power ratio per neper of its natural logarithm. */
export const DB_PER_LN = 4.342944819032518;
/** Powers below this (only an exact 0 from float32 data) count as this: 2⁻¹⁰²², the smallest normal float64. */
export const POWER_FLOOR = 2 ** -1022;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the high word's index on this host

/** The unbiased binary exponent of a positive normal double. */
function exponentOf(v: number): number {
  bits[0] = v;
  return (words[HIGH]! >>> 20) - 1023;
}

/** A positive normal double scaled into [1, 2) (its exponent set to 0). */
function mantissaOf(v: number): number {
  bits[0] = v;
  words[HIGH] = (words[HIGH]! & 0x000fffff) | 0x3ff00000;
  return bits[0]!;
}

/** ln(a / b) for positive normal doubles a and b (any ratio: it is never formed). */
export function lnRatio(a: number, b: number): number {
  let k = exponentOf(a) - exponentOf(b);
  let r = mantissaOf(a) / mantissaOf(b);
  if (r > SQRT2) {
    r = r * 0.5;
    k = k + 1;
  } else if (r < SQRT1_2) {
    r = r * 2;
    k = k - 1;
  }
  const f = r - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
}

/**
 * 10·log10(a / b) for powers a, b ≥ 0 (or NaN): a power of exactly 0 counts as POWER_FLOOR, so the
 * result is finite (0 dB when both are 0); NaN gives NaN.
 */
export function powerRatioDb(a: number, b: number): number {
  const A = POWER_FLOOR > a ? POWER_FLOOR : a;
  const B = POWER_FLOOR > b ? POWER_FLOOR : b;
  return lnRatio(A, B) * DB_PER_LN + (A - A + (B - B));
}
