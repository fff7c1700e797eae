/*
 * The operations a lane-driver recurrence may use (common/lanes.h), once per instruction set:
 * lane_t holds LANES float64 values (scalar 1, SSE2 2, AVX2 4, NEON 2). Each operation is exactly
 * the IEEE operation C performs on one double, applied per lane, so every instance of a recurrence
 * gives the scalar bits (the build has -ffp-contract=off: no fused multiply-add).
 *
 *   lane_set(v) lane_zero()                         broadcast
 *   lane_add sub mul div(a, b) lane_sqrt abs neg(a) arithmetic (abs, neg: the sign bit only)
 *   lane_min(a, b) = a < b ? a : b                  NOT fmin: NaN and ±0 follow the C expression,
 *   lane_max(a, b) = a > b ? a : b                  and the TypeScript kernel must write the same
 *   lane_lt le gt ge eq ne(a, b) -> lane_mask_t     C comparisons (false with NaN, except ne)
 *   lane_select(m, a, b) = m ? a : b; lane_and or(m, n); lane_not(m)
 *   lane_load(const double *) lane_store(double *, a)        LANES float64
 *   lane_load_f32(const float *) lane_store_f32(float *, a)  LANES float32, converted (round to nearest)
 *   lane_reverse(a)                                 the lanes in reverse order (data movement only)
 *   lane_store4(double *p, a, b, c, d)              p[4i + 0…3] = a[i], b[i], c[i], d[i] for every lane i
 *   lane_exponent(a)  the unbiased binary exponent of a positive normal a, as a double (e − 1023,
 *                     e the 11 bits after the sign bit; other inputs give some value, the same on
 *                     every path: the bits after the sign, shifted, minus 1023)
 *   lane_mantissa(a)  a positive normal a with its exponent set to 0: a value in [1, 2)
 *                     (TypeScript does the same bit moves: core/dsp/stages/portable-log.ts)
 *
 * Names here carry the instruction set (lane_add_avx2); lanes.h maps lane_add to the one of the pass
 * being compiled. Adding an operation: write it for all four, with the same per-lane C semantics.
 */
#ifndef DSPFN_LANE_OPS_H
#define DSPFN_LANE_OPS_H

#include <math.h>

#include "common/simd_neon.h"
#include "common/simd_x86.h"
#include "common/stage.h"

#define DSPFN_LANE_OP static inline __attribute__((always_inline))

/* ---- scalar: one double ---- */
typedef double lane_t_scalar;
typedef int lane_mask_scalar;
enum { lane_width_scalar = 1 };
DSPFN_LANE_OP double lane_set_scalar(double v) { return v; }
DSPFN_LANE_OP double lane_zero_scalar(void) { return 0.0; }
DSPFN_LANE_OP double lane_add_scalar(double a, double b) { return a + b; }
DSPFN_LANE_OP double lane_sub_scalar(double a, double b) { return a - b; }
DSPFN_LANE_OP double lane_mul_scalar(double a, double b) { return a * b; }
DSPFN_LANE_OP double lane_div_scalar(double a, double b) { return a / b; }
DSPFN_LANE_OP double lane_sqrt_scalar(double a) { return sqrt(a); }
DSPFN_LANE_OP double lane_abs_scalar(double a) { return fabs(a); }
DSPFN_LANE_OP double lane_neg_scalar(double a) { return -a; }
DSPFN_LANE_OP double lane_min_scalar(double a, double b) { return a < b ? a : b; }
DSPFN_LANE_OP double lane_max_scalar(double a, double b) { return a > b ? a : b; }
DSPFN_LANE_OP int lane_lt_scalar(double a, double b) { return a < b; }
DSPFN_LANE_OP int lane_le_scalar(double a, double b) { return a <= b; }
DSPFN_LANE_OP int lane_gt_scalar(double a, double b) { return a > b; }
DSPFN_LANE_OP int lane_ge_scalar(double a, double b) { return a >= b; }
DSPFN_LANE_OP int lane_eq_scalar(double a, double b) { return a == b; }
DSPFN_LANE_OP int lane_ne_scalar(double a, double b) { return a != b; }
DSPFN_LANE_OP double lane_select_scalar(int m, double a, double b) { return m ? a : b; }
DSPFN_LANE_OP int lane_and_scalar(int m, int n) { return m && n; }
DSPFN_LANE_OP int lane_or_scalar(int m, int n) { return m || n; }
DSPFN_LANE_OP int lane_not_scalar(int m) { return !m; }
DSPFN_LANE_OP double lane_load_scalar(const double *p) { return *p; }
DSPFN_LANE_OP void lane_store_scalar(double *p, double a) { *p = a; }
DSPFN_LANE_OP double lane_load_f32_scalar(const float *p) { return (double)*p; }
DSPFN_LANE_OP void lane_store_f32_scalar(float *p, double a) { *p = (float)a; }
DSPFN_LANE_OP double lane_reverse_scalar(double a) { return a; }
DSPFN_LANE_OP void lane_store4_scalar(double *p, double a, double b, double c, double d) {
  p[0] = a;
  p[1] = b;
  p[2] = c;
  p[3] = d;
}
DSPFN_LANE_OP double lane_exponent_scalar(double a) {
  uint64_t bits;
  memcpy(&bits, &a, 8);
  return (double)(bits >> 52) - 1023.0;
}
DSPFN_LANE_OP double lane_mantissa_scalar(double a) {
  uint64_t bits;
  memcpy(&bits, &a, 8);
  bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  memcpy(&a, &bits, 8);
  return a;
}

#if defined(__x86_64__)
/* ---- SSE2: two doubles ---- */
typedef __m128d lane_t_sse2;
typedef __m128d lane_mask_sse2;
enum { lane_width_sse2 = 2 };
DSPFN_LANE_OP __m128d lane_set_sse2(double v) { return _mm_set1_pd(v); }
DSPFN_LANE_OP __m128d lane_zero_sse2(void) { return _mm_setzero_pd(); }
DSPFN_LANE_OP __m128d lane_add_sse2(__m128d a, __m128d b) { return _mm_add_pd(a, b); }
DSPFN_LANE_OP __m128d lane_sub_sse2(__m128d a, __m128d b) { return _mm_sub_pd(a, b); }
DSPFN_LANE_OP __m128d lane_mul_sse2(__m128d a, __m128d b) { return _mm_mul_pd(a, b); }
DSPFN_LANE_OP __m128d lane_div_sse2(__m128d a, __m128d b) { return _mm_div_pd(a, b); }
DSPFN_LANE_OP __m128d lane_sqrt_sse2(__m128d a) { return _mm_sqrt_pd(a); }
DSPFN_LANE_OP __m128d lane_abs_sse2(__m128d a) { return _mm_andnot_pd(_mm_set1_pd(-0.0), a); }
DSPFN_LANE_OP __m128d lane_neg_sse2(__m128d a) { return _mm_xor_pd(_mm_set1_pd(-0.0), a); }
/* minpd/maxpd return the second operand unless the comparison holds: exactly the C expressions. */
DSPFN_LANE_OP __m128d lane_min_sse2(__m128d a, __m128d b) { return _mm_min_pd(a, b); }
DSPFN_LANE_OP __m128d lane_max_sse2(__m128d a, __m128d b) { return _mm_max_pd(a, b); }
DSPFN_LANE_OP __m128d lane_lt_sse2(__m128d a, __m128d b) { return _mm_cmplt_pd(a, b); }
DSPFN_LANE_OP __m128d lane_le_sse2(__m128d a, __m128d b) { return _mm_cmple_pd(a, b); }
DSPFN_LANE_OP __m128d lane_gt_sse2(__m128d a, __m128d b) { return _mm_cmpgt_pd(a, b); }
DSPFN_LANE_OP __m128d lane_ge_sse2(__m128d a, __m128d b) { return _mm_cmpge_pd(a, b); }
DSPFN_LANE_OP __m128d lane_eq_sse2(__m128d a, __m128d b) { return _mm_cmpeq_pd(a, b); }
DSPFN_LANE_OP __m128d lane_ne_sse2(__m128d a, __m128d b) { return _mm_cmpneq_pd(a, b); }
DSPFN_LANE_OP __m128d lane_select_sse2(__m128d m, __m128d a, __m128d b) { return _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b)); }
DSPFN_LANE_OP __m128d lane_and_sse2(__m128d m, __m128d n) { return _mm_and_pd(m, n); }
DSPFN_LANE_OP __m128d lane_or_sse2(__m128d m, __m128d n) { return _mm_or_pd(m, n); }
DSPFN_LANE_OP __m128d lane_not_sse2(__m128d m) { return _mm_xor_pd(m, _mm_castsi128_pd(_mm_set1_epi32(-1))); }
DSPFN_LANE_OP __m128d lane_load_sse2(const double *p) { return _mm_loadu_pd(p); }
DSPFN_LANE_OP void lane_store_sse2(double *p, __m128d a) { _mm_storeu_pd(p, a); }
DSPFN_LANE_OP __m128d lane_load_f32_sse2(const float *p) { return dspfn_sse2_load2(p); }
DSPFN_LANE_OP void lane_store_f32_sse2(float *p, __m128d a) { dspfn_sse2_store2(p, _mm_cvtpd_ps(a)); }
DSPFN_LANE_OP __m128d lane_reverse_sse2(__m128d a) { return _mm_shuffle_pd(a, a, 1); }
DSPFN_LANE_OP void lane_store4_sse2(double *p, __m128d a, __m128d b, __m128d c, __m128d d) {
  _mm_storeu_pd(p, _mm_unpacklo_pd(a, b));
  _mm_storeu_pd(p + 2, _mm_unpacklo_pd(c, d));
  _mm_storeu_pd(p + 4, _mm_unpackhi_pd(a, b));
  _mm_storeu_pd(p + 6, _mm_unpackhi_pd(c, d));
}
/* SSE2 has no int64 -> double: 2^52 + e is a double whose low mantissa bits are e; subtracting
 * 2^52 + 1023 (both exact) gives e − 1023 exactly, as the scalar conversion does. */
DSPFN_LANE_OP __m128d lane_exponent_sse2(__m128d a) {
  const __m128i e = _mm_srli_epi64(_mm_castpd_si128(a), 52);
  const __m128d biased = _mm_castsi128_pd(_mm_or_si128(e, _mm_set1_epi64x(0x4330000000000000ll)));
  return _mm_sub_pd(biased, _mm_set1_pd(4503599627371519.0));
}
DSPFN_LANE_OP __m128d lane_mantissa_sse2(__m128d a) {
  const __m128i m = _mm_and_si128(_mm_castpd_si128(a), _mm_set1_epi64x(0x000fffffffffffffll));
  return _mm_castsi128_pd(_mm_or_si128(m, _mm_set1_epi64x(0x3ff0000000000000ll)));
}

/* ---- AVX2: four doubles (compiled for AVX2, run only when the CPU has it) ---- */
#define DSPFN_LANE_OP_AVX2 DSPFN_AVX2 static inline __attribute__((always_inline))
typedef __m256d lane_t_avx2;
typedef __m256d lane_mask_avx2;
enum { lane_width_avx2 = 4 };
DSPFN_LANE_OP_AVX2 __m256d lane_set_avx2(double v) { return _mm256_set1_pd(v); }
DSPFN_LANE_OP_AVX2 __m256d lane_zero_avx2(void) { return _mm256_setzero_pd(); }
DSPFN_LANE_OP_AVX2 __m256d lane_add_avx2(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }
DSPFN_LANE_OP_AVX2 __m256d lane_sub_avx2(__m256d a, __m256d b) { return _mm256_sub_pd(a, b); }
DSPFN_LANE_OP_AVX2 __m256d lane_mul_avx2(__m256d a, __m256d b) { return _mm256_mul_pd(a, b); }
DSPFN_LANE_OP_AVX2 __m256d lane_div_avx2(__m256d a, __m256d b) { return _mm256_div_pd(a, b); }
DSPFN_LANE_OP_AVX2 __m256d lane_sqrt_avx2(__m256d a) { return _mm256_sqrt_pd(a); }
DSPFN_LANE_OP_AVX2 __m256d lane_abs_avx2(__m256d a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
DSPFN_LANE_OP_AVX2 __m256d lane_neg_avx2(__m256d a) { return _mm256_xor_pd(_mm256_set1_pd(-0.0), a); }
DSPFN_LANE_OP_AVX2 __m256d lane_min_avx2(__m256d a, __m256d b) { return _mm256_min_pd(a, b); }
DSPFN_LANE_OP_AVX2 __m256d lane_max_avx2(__m256d a, __m256d b) { return _mm256_max_pd(a, b); }
DSPFN_LANE_OP_AVX2 __m256d lane_lt_avx2(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
DSPFN_LANE_OP_AVX2 __m256d lane_le_avx2(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
DSPFN_LANE_OP_AVX2 __m256d lane_gt_avx2(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
DSPFN_LANE_OP_AVX2 __m256d lane_ge_avx2(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
DSPFN_LANE_OP_AVX2 __m256d lane_eq_avx2(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
DSPFN_LANE_OP_AVX2 __m256d lane_ne_avx2(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_NEQ_UQ); }
DSPFN_LANE_OP_AVX2 __m256d lane_select_avx2(__m256d m, __m256d a, __m256d b) { return _mm256_blendv_pd(b, a, m); }
DSPFN_LANE_OP_AVX2 __m256d lane_and_avx2(__m256d m, __m256d n) { return _mm256_and_pd(m, n); }
DSPFN_LANE_OP_AVX2 __m256d lane_or_avx2(__m256d m, __m256d n) { return _mm256_or_pd(m, n); }
DSPFN_LANE_OP_AVX2 __m256d lane_not_avx2(__m256d m) { return _mm256_xor_pd(m, _mm256_castsi256_pd(_mm256_set1_epi32(-1))); }
DSPFN_LANE_OP_AVX2 __m256d lane_load_avx2(const double *p) { return _mm256_loadu_pd(p); }
DSPFN_LANE_OP_AVX2 void lane_store_avx2(double *p, __m256d a) { _mm256_storeu_pd(p, a); }
DSPFN_LANE_OP_AVX2 __m256d lane_load_f32_avx2(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
DSPFN_LANE_OP_AVX2 void lane_store_f32_avx2(float *p, __m256d a) { _mm_storeu_ps(p, _mm256_cvtpd_ps(a)); }
DSPFN_LANE_OP_AVX2 __m256d lane_reverse_avx2(__m256d a) { return _mm256_permute4x64_pd(a, 0x1B); }
DSPFN_LANE_OP_AVX2 void lane_store4_avx2(double *p, __m256d a, __m256d b, __m256d c, __m256d d) {
  const __m256d ab0 = _mm256_unpacklo_pd(a, b), ab1 = _mm256_unpackhi_pd(a, b); /* a0 b0 a2 b2 | a1 b1 a3 b3 */
  const __m256d cd0 = _mm256_unpacklo_pd(c, d), cd1 = _mm256_unpackhi_pd(c, d);
  _mm256_storeu_pd(p, _mm256_permute2f128_pd(ab0, cd0, 0x20));
  _mm256_storeu_pd(p + 4, _mm256_permute2f128_pd(ab1, cd1, 0x20));
  _mm256_storeu_pd(p + 8, _mm256_permute2f128_pd(ab0, cd0, 0x31));
  _mm256_storeu_pd(p + 12, _mm256_permute2f128_pd(ab1, cd1, 0x31));
}
DSPFN_LANE_OP_AVX2 __m256d lane_exponent_avx2(__m256d a) {
  const __m256i e = _mm256_srli_epi64(_mm256_castpd_si256(a), 52);
  const __m256d biased = _mm256_castsi256_pd(_mm256_or_si256(e, _mm256_set1_epi64x(0x4330000000000000ll)));
  return _mm256_sub_pd(biased, _mm256_set1_pd(4503599627371519.0));
}
DSPFN_LANE_OP_AVX2 __m256d lane_mantissa_avx2(__m256d a) {
  const __m256i m = _mm256_and_si256(_mm256_castpd_si256(a), _mm256_set1_epi64x(0x000fffffffffffffll));
  return _mm256_castsi256_pd(_mm256_or_si256(m, _mm256_set1_epi64x(0x3ff0000000000000ll)));
}
#endif /* __x86_64__ */

#if defined(__aarch64__)
/* ---- NEON: two doubles ---- */
typedef float64x2_t lane_t_neon;
typedef uint64x2_t lane_mask_neon;
enum { lane_width_neon = 2 };
DSPFN_LANE_OP float64x2_t lane_set_neon(double v) { return vdupq_n_f64(v); }
DSPFN_LANE_OP float64x2_t lane_zero_neon(void) { return vdupq_n_f64(0.0); }
DSPFN_LANE_OP float64x2_t lane_add_neon(float64x2_t a, float64x2_t b) { return vaddq_f64(a, b); }
DSPFN_LANE_OP float64x2_t lane_sub_neon(float64x2_t a, float64x2_t b) { return vsubq_f64(a, b); }
DSPFN_LANE_OP float64x2_t lane_mul_neon(float64x2_t a, float64x2_t b) { return vmulq_f64(a, b); }
DSPFN_LANE_OP float64x2_t lane_div_neon(float64x2_t a, float64x2_t b) { return vdivq_f64(a, b); }
DSPFN_LANE_OP float64x2_t lane_sqrt_neon(float64x2_t a) { return vsqrtq_f64(a); }
DSPFN_LANE_OP float64x2_t lane_abs_neon(float64x2_t a) { return vabsq_f64(a); }
DSPFN_LANE_OP float64x2_t lane_neg_neon(float64x2_t a) { return vnegq_f64(a); }
/* Not vminq/vmaxq: they propagate NaN and order −0 < +0, unlike the C expressions. */
DSPFN_LANE_OP float64x2_t lane_min_neon(float64x2_t a, float64x2_t b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
DSPFN_LANE_OP float64x2_t lane_max_neon(float64x2_t a, float64x2_t b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
DSPFN_LANE_OP uint64x2_t lane_lt_neon(float64x2_t a, float64x2_t b) { return vcltq_f64(a, b); }
DSPFN_LANE_OP uint64x2_t lane_le_neon(float64x2_t a, float64x2_t b) { return vcleq_f64(a, b); }
DSPFN_LANE_OP uint64x2_t lane_gt_neon(float64x2_t a, float64x2_t b) { return vcgtq_f64(a, b); }
DSPFN_LANE_OP uint64x2_t lane_ge_neon(float64x2_t a, float64x2_t b) { return vcgeq_f64(a, b); }
DSPFN_LANE_OP uint64x2_t lane_eq_neon(float64x2_t a, float64x2_t b) { return vceqq_f64(a, b); }
DSPFN_LANE_OP uint64x2_t lane_ne_neon(float64x2_t a, float64x2_t b) {
  return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vceqq_f64(a, b))));
}
DSPFN_LANE_OP float64x2_t lane_select_neon(uint64x2_t m, float64x2_t a, float64x2_t b) { return vbslq_f64(m, a, b); }
DSPFN_LANE_OP uint64x2_t lane_and_neon(uint64x2_t m, uint64x2_t n) { return vandq_u64(m, n); }
DSPFN_LANE_OP uint64x2_t lane_or_neon(uint64x2_t m, uint64x2_t n) { return vorrq_u64(m, n); }
DSPFN_LANE_OP uint64x2_t lane_not_neon(uint64x2_t m) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(m))); }
DSPFN_LANE_OP float64x2_t lane_load_neon(const double *p) { return vld1q_f64(p); }
DSPFN_LANE_OP void lane_store_neon(double *p, float64x2_t a) { vst1q_f64(p, a); }
DSPFN_LANE_OP float64x2_t lane_load_f32_neon(const float *p) { return dspfn_neon_load2(p); }
DSPFN_LANE_OP void lane_store_f32_neon(float *p, float64x2_t a) { dspfn_neon_store2(p, a); }
DSPFN_LANE_OP float64x2_t lane_reverse_neon(float64x2_t a) { return vextq_f64(a, a, 1); }
DSPFN_LANE_OP void lane_store4_neon(double *p, float64x2_t a, float64x2_t b, float64x2_t c, float64x2_t d) {
  const float64x2x4_t v = {{a, b, c, d}};
  vst4q_f64(p, v);
}
DSPFN_LANE_OP float64x2_t lane_exponent_neon(float64x2_t a) {
  return vsubq_f64(vcvtq_f64_u64(vshrq_n_u64(vreinterpretq_u64_f64(a), 52)), vdupq_n_f64(1023.0));
}
DSPFN_LANE_OP float64x2_t lane_mantissa_neon(float64x2_t a) {
  const uint64x2_t m = vandq_u64(vreinterpretq_u64_f64(a), vdupq_n_u64(0x000fffffffffffffull));
  return vreinterpretq_f64_u64(vorrq_u64(m, vdupq_n_u64(0x3ff0000000000000ull)));
}
#endif /* __aarch64__ */

#endif /* DSPFN_LANE_OPS_H */
