/*
 * movingAverage and rms on arm64: Advanced SIMD (NEON), two float64 lanes. Built for neoverse-n1
 * (Graviton2). See moving_window.h for why every path gives the TypeScript bits.
 */
#if defined(__aarch64__)
#include "common/simd_neon.h"
#include "families/moving_window/direct.h"
#include "families/moving_window/single.h"


/*
 * NEON outputs multiply by r = fl(1/n) instead of dividing: Neoverse N1's float64 FDIV/FSQRT
 * are barely pipelined (7-17 cycles per 2 lanes in Arm's optimization guide), FMUL is not. (On
 * Zen 3 vdivpd is cheap enough that this measured slower, so x86 divides.) The results are still
 * TypeScript's float32 values:
 *   q = fl(s r) is within 3 float64 ulps of fl(s / n) (two roundings of 2^-53 each, plus that of
 *   the quotient); for rms, fl(sqrt(q)) is within 2.5 ulps of fl(sqrt(fl(s / n))).
 * Both round to the same float32 unless a float32 rounding midpoint lies between them, i.e. unless
 * the 29 mantissa bits float32 drops are within a few units of 1000...0 (checked: within 8), or the
 * result is below float32's normal range (2^-125 checked; zero is exact). Such vectors, about one
 * in 10^7 for noise-like data, are recomputed with the division.
 */
#define MIDPOINT_LOW 0x10000000u /* 2^28: the dropped bits of a float32 rounding midpoint */
#define MIDPOINT_MARGIN 8
#define F32_NORMAL_MIN_SAFE 0x1p-125

static inline float64x2_t neon_exact_y(float64x2_t s, float64x2_t n, int squared) {
  const float64x2_t zero = vdupq_n_f64(0);
  /* vmaxq_f64 would return NaN for a NaN sum; TypeScript's (sum > 0 ? sum : 0) gives 0. */
  return squared ? vsqrtq_f64(vdivq_f64(vbslq_f64(vcgtq_f64(s, zero), s, zero), n)) : vdivq_f64(s, n);
}

/* Two outputs as float32, via the reciprocal r when safe (see MIDPOINT_LOW). */
static inline float32x2_t neon_y(float64x2_t s, float64x2_t n, float64x2_t r, int squared) {
  const float64x2_t zero = vdupq_n_f64(0);
  float64x2_t y = squared ? vsqrtq_f64(vmulq_f64(vbslq_f64(vcgtq_f64(s, zero), s, zero), r)) : vmulq_f64(s, r);
  const uint64x2_t low = vandq_u64(vreinterpretq_u64_f64(y), vdupq_n_u64(0x1fffffff));
  /* Unsigned wrap-around: below the window the difference is huge. */
  const uint64x2_t near = vcltq_u64(vsubq_u64(low, vdupq_n_u64(MIDPOINT_LOW - MIDPOINT_MARGIN)),
                                    vdupq_n_u64(2 * MIDPOINT_MARGIN + 1));
  const uint64x2_t fine = vorrq_u64(vcgeq_f64(vabsq_f64(y), vdupq_n_f64(F32_NORMAL_MIN_SAFE)), vceqzq_f64(y));
  if (vmaxvq_u32(vreinterpretq_u32_u64(vornq_u64(near, fine))) != 0) y = neon_exact_y(s, n, squared);
  return vcvt_f32_f64(y);
}

/* G pairs of channels (G = 1, 2 or 4, a constant after inlining), one float64 lane per channel;
 * several pairs per frame loop overlap their (latency-bound) recursions. */
DSPFN_INLINE void mw_lanes_neon(dspfn_mw_t *S, uint32_t c0, const float *src, float *dst,
                                size_t frames, const int G) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring + c0;
  uint64_t count = S->counts[c0];
  float64x2_t sum[4];
  for (int g = 0; g < G; g++) sum[g] = vld1q_f64(S->sums + c0 + 2 * g);
  uint32_t slot = (uint32_t)(count % W);
  uint64_t to_resync = RESYNC - count % RESYNC;
  const float64x2_t nW = vdupq_n_f64((double)W), rW = vdupq_n_f64(1.0 / (double)W);
  for (size_t f = 0; f < frames; f++) {
    float *r = ring + slot * C;
    for (int g = 0; g < G; g++) {
      const float32x2_t xf = vld1_f32(src + f * C + c0 + 2 * g);
      const float64x2_t x = vcvt_f64_f32(xf);
      const float64x2_t old = vcvt_f64_f32(vld1_f32(r + 2 * g));
      sum[g] = squared ? vaddq_f64(vsubq_f64(sum[g], vmulq_f64(old, old)), vmulq_f64(x, x))
                       : vaddq_f64(vsubq_f64(sum[g], old), x);
      vst1_f32(r + 2 * g, xf);
    }
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--to_resync == 0) {
      for (int g = 0; g < G; g++) {
        const double sums[2] = {dspfn_mw_window_sum(S, c0 + 2 * (uint32_t)g), dspfn_mw_window_sum(S, c0 + 2 * (uint32_t)g + 1)};
        sum[g] = vld1q_f64(sums);
      }
      to_resync = RESYNC;
    }
    for (int g = 0; g < G; g++) {
      const float32x2_t y = count >= W ? neon_y(sum[g], nW, rW, squared)
                                       : vcvt_f32_f64(neon_exact_y(sum[g], vdupq_n_f64((double)count), squared));
      vst1_f32(dst + f * C + c0 + 2 * g, y);
    }
  }
  for (uint32_t c = c0; c < c0 + 2 * (uint32_t)G; c++) S->counts[c] = count;
  for (int g = 0; g < G; g++) vst1q_f64(S->sums + c0 + 2 * g, sum[g]);
}

static double mw_exact_neon(const float *x, const float *old, float *dst, size_t m, double s0,
                            double n, int squared) {
  const float64x2_t nv = vdupq_n_f64(n), rv = vdupq_n_f64(1.0 / n), zero = vdupq_n_f64(0);
  float64x2_t carry = vdupq_n_f64(s0);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float32x4_t xf = vld1q_f32(x + i), of = vld1q_f32(old + i);
    const float64x2_t xa = vcvt_f64_f32(vget_low_f32(xf)), xb = vcvt_high_f64_f32(xf);
    const float64x2_t oa = vcvt_f64_f32(vget_low_f32(of)), ob = vcvt_high_f64_f32(of);
    float64x2_t a = squared ? vsubq_f64(vmulq_f64(xa, xa), vmulq_f64(oa, oa)) : vsubq_f64(xa, oa);
    float64x2_t b = squared ? vsubq_f64(vmulq_f64(xb, xb), vmulq_f64(ob, ob)) : vsubq_f64(xb, ob);
    a = vaddq_f64(a, vextq_f64(zero, a, 1));
    b = vaddq_f64(b, vextq_f64(zero, b, 1));
    b = vaddq_f64(b, vdupq_laneq_f64(a, 1));
    a = vaddq_f64(a, carry);
    b = vaddq_f64(b, carry);
    carry = vdupq_laneq_f64(b, 1);
    vst1q_f32(dst + i, vcombine_f32(neon_y(a, nv, rv, squared), neon_y(b, nv, rv, squared)));
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, vgetq_lane_f64(carry, 0), n, squared);
}

static double mw_seq_neon(const float *x, const float *old, float *dst, size_t m, double sum,
                          double n, int squared) {
  const float64x2_t nv = vdupq_n_f64(n), rv = vdupq_n_f64(1.0 / n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float32x4_t xf = vld1q_f32(x + i), of = vld1q_f32(old + i);
    const float64x2_t xa = vcvt_f64_f32(vget_low_f32(xf)), xb = vcvt_high_f64_f32(xf);
    const float64x2_t oa = vcvt_f64_f32(vget_low_f32(of)), ob = vcvt_high_f64_f32(of);
    double a[4], b[4];
    vst1q_f64(a, squared ? vmulq_f64(oa, oa) : oa);
    vst1q_f64(a + 2, squared ? vmulq_f64(ob, ob) : ob);
    vst1q_f64(b, squared ? vmulq_f64(xa, xa) : xa);
    vst1q_f64(b + 2, squared ? vmulq_f64(xb, xb) : xb);
    double sv[4];
    sv[0] = sum - a[0] + b[0];
    sv[1] = sv[0] - a[1] + b[1];
    sv[2] = sv[1] - a[2] + b[2];
    sv[3] = sv[2] - a[3] + b[3];
    vst1q_f32(dst + i, vcombine_f32(neon_y(vld1q_f64(sv), nv, rv, squared), neon_y(vld1q_f64(sv + 2), nv, rv, squared)));
    sum = sv[3];
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, sum, n, squared);
}

/* Test hook body (dspfn_mw_test_outputs): the output step of the vector loops alone. */
void dspfn_mw_finish_neon(const double *s, float *dst, size_t m, double n, int squared) {
  const float64x2_t nv = vdupq_n_f64(n), rv = vdupq_n_f64(1.0 / n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    vst1q_f32(dst + i, vcombine_f32(neon_y(vld1q_f64(s + i), nv, rv, squared), neon_y(vld1q_f64(s + i + 2), nv, rv, squared)));
  }
  for (; i < m; i++) dst[i] = mw_out(s[i], n, squared);
}

/* Direct rms: 8 outputs per step in four vectors (independent sums). */
static void mw_direct_neon(const double *q, float *dst, size_t m, uint32_t W, size_t K) {
  const float64x2_t nv = vdupq_n_f64((double)W), rv = vdupq_n_f64(1.0 / (double)W);
  size_t i = 0;
  for (; i + 8 <= m; i += 8) {
    const double *p = q + i;
    float64x2_t a = vld1q_f64(p), b = vld1q_f64(p + 2), c = vld1q_f64(p + 4), d = vld1q_f64(p + 6);
    for (uint32_t j = 1; j < W; j++) {
      p += K;
      a = vaddq_f64(a, vld1q_f64(p));
      b = vaddq_f64(b, vld1q_f64(p + 2));
      c = vaddq_f64(c, vld1q_f64(p + 4));
      d = vaddq_f64(d, vld1q_f64(p + 6));
    }
    vst1q_f32(dst + i, vcombine_f32(neon_y(a, nv, rv, 1), neon_y(b, nv, rv, 1)));
    vst1q_f32(dst + i + 4, vcombine_f32(neon_y(c, nv, rv, 1), neon_y(d, nv, rv, 1)));
  }
  mw_direct_tail(q + i, dst + i, m - i, W, K);
}

void dspfn_mw_process_neon(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    mw_direct_blocks(S, src, dst, frames, mw_direct_neon);
    return;
  }
  if (S->channels == 1) {
    mw_single(S, src, dst, frames, mw_exact_neon, mw_seq_neon);
    return;
  }
  if (!mw_counts_equal(S)) {
    dspfn_mw_process_scalar(S, src, dst, frames);
    return;
  }
  uint32_t c = 0;
  for (; c + 8 <= S->channels; c += 8) mw_lanes_neon(S, c, src, dst, frames, 4);
  for (; c + 4 <= S->channels; c += 4) mw_lanes_neon(S, c, src, dst, frames, 2);
  for (; c + 2 <= S->channels; c += 2) mw_lanes_neon(S, c, src, dst, frames, 1);
  for (; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
}

#endif /* __aarch64__ */
