/**
 * The canonical FIR dot product: the one order of additions every backend uses, chosen so that
 * SIMD paths run at full speed and still give these bits (layers/dsp/src/families/fir/fir_dot.c).
 *
 * With g the coefficients reversed (g[j] = h[T−1−j]) and x the window oldest sample first
 * (x[j] = input[n−T+1+j]), so both run forward in memory:
 *   s_l = Σ g[j]·x[j] over j ≡ l (mod 8), j < 8⌊T/8⌋, in increasing j, for l = 0 … 7, from +0;
 *   y = ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
 *   then y += g[j]·x[j] for the last T mod 8 taps, in order.
 * AVX2 holds s0…s3 and s4…s7 in two vectors, SSE2 and NEON s0…s7 in four, the scalar path in eight
 * doubles. Products are float64 × float64 (coefficients stay float64; samples are float32 values),
 * each rounded once, then added: no fused multiply-add, whose single rounding would differ.
 *
 * Reused by every FIR-like stage (fir; the rate changers of the second catalogue part).
 */
export function firDot(g: Float64Array, x: Float64Array, at: number, taps: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  let j = 0;
  for (; j + 8 <= taps; j += 8) {
    const b = at + j;
    s0 += g[j]! * x[b]!;
    s1 += g[j + 1]! * x[b + 1]!;
    s2 += g[j + 2]! * x[b + 2]!;
    s3 += g[j + 3]! * x[b + 3]!;
    s4 += g[j + 4]! * x[b + 4]!;
    s5 += g[j + 5]! * x[b + 5]!;
    s6 += g[j + 6]! * x[b + 6]!;
    s7 += g[j + 7]! * x[b + 7]!;
  }
  // prettier-ignore
  let y = ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
  for (; j < taps; j++) y += g[j]! * x[at + j]!;
  return y;
}

/** g[j] = h[T−1−j]: the coefficients in the order the canonical dot product reads them. */
export function reversedCoefficients(h: readonly number[]): Float64Array {
  const g = new Float64Array(h.length);
  for (let j = 0; j < h.length; j++) g[j] = h[h.length - 1 - j]!;
  return g;
}
