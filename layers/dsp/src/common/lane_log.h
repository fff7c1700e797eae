/*
 * Logarithms on lanes, bit for bit those of core/dsp/stages/portable-log.ts (the per-sample path
 * may not call the C library's log: it differs from V8's Math.log in the last bit). fdlibm's
 * e_log.c method (reduction to [√2/2, √2], its polynomial; error below 1 ulp), applied to a ratio
 * so that a/b is never formed. Included inside a lane pass (after the stage's step, where lane_t
 * and the lane_* operations are this pass's), like common/lane_loop.h: no include guard.
 *
 *   <stage>_ln_ratio_<isa>(a, b)        ln(a / b) for positive normal a, b
 *   <stage>_power_ratio_db_<isa>(a, b)  10·log10(a / b) for powers a, b >= 0 or NaN: an exact 0
 *                                       counts as 2^-1022, NaN gives NaN
 */

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(ln_ratio)(lane_t a, lane_t b) {
  lane_t k = lane_sub(lane_exponent(a), lane_exponent(b));
  lane_t r = lane_div(lane_mantissa(a), lane_mantissa(b));
  const lane_mask_t high = lane_gt(r, lane_set(1.4142135623730951));
  const lane_mask_t low = lane_lt(r, lane_set(0.7071067811865476));
  r = lane_select(high, lane_mul(r, lane_set(0.5)), lane_select(low, lane_mul(r, lane_set(2.0)), r));
  k = lane_select(high, lane_add(k, lane_set(1.0)), lane_select(low, lane_sub(k, lane_set(1.0)), k));
  const lane_t f = lane_sub(r, lane_set(1.0));
  const lane_t s = lane_div(f, lane_add(lane_set(2.0), f));
  const lane_t z = lane_mul(s, s);
  const lane_t w = lane_mul(z, z);
  const lane_t t1 = lane_mul(w, lane_add(lane_set(3.999999999940941908e-01),
                                         lane_mul(w, lane_add(lane_set(2.222219843214978396e-01), lane_mul(w, lane_set(1.531383769920937332e-01))))));
  const lane_t t2 = lane_mul(
      z, lane_add(lane_set(6.666666666666735130e-01),
                  lane_mul(w, lane_add(lane_set(2.857142874366239149e-01),
                                       lane_mul(w, lane_add(lane_set(1.818357216161805012e-01), lane_mul(w, lane_set(1.479819860511658591e-01))))))));
  const lane_t R = lane_add(t2, t1);
  const lane_t hfsq = lane_mul(lane_mul(lane_set(0.5), f), f);
  /* k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f) */
  const lane_t inner = lane_add(lane_mul(s, lane_add(hfsq, R)), lane_mul(k, lane_set(1.90821492927058770002e-10)));
  return lane_sub(lane_mul(k, lane_set(6.93147180369123816490e-01)), lane_sub(lane_sub(hfsq, inner), f));
}

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(power_ratio_db)(lane_t a, lane_t b) {
  const lane_t floor = lane_set(0x1p-1022);
  const lane_t A = lane_max(floor, a), B = lane_max(floor, b); /* floor > x ? floor : x: NaN stays */
  const lane_t nan_if_any = lane_add(lane_sub(A, A), lane_sub(B, B)); /* +0, or NaN */
  return lane_add(lane_mul(DSPFN_LANES_FN(ln_ratio)(A, B), lane_set(4.342944819032518)), nan_if_any);
}
