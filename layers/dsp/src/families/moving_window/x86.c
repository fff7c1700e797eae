/*
 * movingAverage and rms on x86-64: SSE2 (baseline) and AVX2 (chosen at run time). See
 * moving_window.h for why every path gives the TypeScript bits.
 */
#if defined(__x86_64__)
#include "common/simd_x86.h"
#include "families/moving_window/direct.h"
#include "families/moving_window/single.h"


static inline __m128d sse2_exact_y(__m128d s, __m128d n, int squared) {
  return squared ? _mm_sqrt_pd(_mm_div_pd(_mm_and_pd(_mm_cmpgt_pd(s, _mm_setzero_pd()), s), n)) : _mm_div_pd(s, n);
}

/* Two outputs as float32 (low half). x86 divides: a reciprocal multiply with the midpoint check
 * that NEON uses (see MIDPOINT_LOW) measured slower than vdivpd on Zen 3. */
static inline __m128 sse2_y(__m128d s, __m128d n, int squared) { return _mm_cvtpd_ps(sse2_exact_y(s, n, squared)); }

/* Two channels c0, c0+1 in the two lanes of a float64 vector: the scalar recursion per lane. */
DSPFN_INLINE void mw_lanes2_sse2(dspfn_mw_t *S, uint32_t c0, const float *src, float *dst,
                                  size_t frames) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring + c0;
  uint64_t count = S->counts[c0];
  __m128d sum = _mm_loadu_pd(S->sums + c0);
  uint32_t slot = (uint32_t)(count % W);
  uint64_t to_resync = RESYNC - count % RESYNC;
  const __m128d nW = _mm_set1_pd((double)W);
  for (size_t f = 0; f < frames; f++) {
    const __m128 xf = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(const void *)(src + f * C + c0)));
    float *r = ring + slot * C;
    const __m128d x = _mm_cvtps_pd(xf);
    const __m128d old = dspfn_sse2_load2(r);
    sum = squared ? _mm_add_pd(_mm_sub_pd(sum, _mm_mul_pd(old, old)), _mm_mul_pd(x, x))
                  : _mm_add_pd(_mm_sub_pd(sum, old), x);
    dspfn_sse2_store2(r, xf);
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--to_resync == 0) {
      sum = _mm_setr_pd(dspfn_mw_window_sum(S, c0), dspfn_mw_window_sum(S, c0 + 1));
      to_resync = RESYNC;
    }
    const __m128 y = count >= W ? sse2_y(sum, nW, squared)
                                : _mm_cvtpd_ps(sse2_exact_y(sum, _mm_set1_pd((double)count), squared));
    dspfn_sse2_store2(dst + f * C + c0, y);
  }
  S->counts[c0] = S->counts[c0 + 1] = count;
  _mm_storeu_pd(S->sums + c0, sum);
}

static double mw_exact_sse2(const float *x, const float *old, float *dst, size_t m, double s0,
                            double n, int squared) {
  const __m128d nv = _mm_set1_pd(n), zero = _mm_setzero_pd();
  __m128d carry = _mm_set1_pd(s0);
  size_t i = 0;
  /* Two vectors per step so the loop-carried chain is one add and one shuffle per 4 samples. */
  for (; i + 4 <= m; i += 4) {
    const __m128d xa = dspfn_sse2_load2(x + i), xb = dspfn_sse2_load2(x + i + 2);
    const __m128d oa = dspfn_sse2_load2(old + i), ob = dspfn_sse2_load2(old + i + 2);
    __m128d a = squared ? _mm_sub_pd(_mm_mul_pd(xa, xa), _mm_mul_pd(oa, oa)) : _mm_sub_pd(xa, oa);
    __m128d b = squared ? _mm_sub_pd(_mm_mul_pd(xb, xb), _mm_mul_pd(ob, ob)) : _mm_sub_pd(xb, ob);
    a = _mm_add_pd(a, _mm_unpacklo_pd(zero, a));
    b = _mm_add_pd(b, _mm_unpacklo_pd(zero, b));
    b = _mm_add_pd(b, _mm_unpackhi_pd(a, a));
    a = _mm_add_pd(a, carry);
    b = _mm_add_pd(b, carry);
    carry = _mm_unpackhi_pd(b, b);
    _mm_storeu_ps(dst + i, _mm_movelh_ps(sse2_y(a, nv, squared), sse2_y(b, nv, squared)));
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, _mm_cvtsd_f64(carry), n, squared);
}

static double mw_seq_sse2(const float *x, const float *old, float *dst, size_t m, double sum,
                          double n, int squared) {
  const __m128d nv = _mm_set1_pd(n);
  size_t i = 0;
  for (; i + 2 <= m; i += 2) {
    const __m128d xv = dspfn_sse2_load2(x + i), ov = dspfn_sse2_load2(old + i);
    double a[2], b[2];
    _mm_storeu_pd(a, squared ? _mm_mul_pd(ov, ov) : ov);
    _mm_storeu_pd(b, squared ? _mm_mul_pd(xv, xv) : xv);
    const double s0 = sum - a[0] + b[0], s1 = s0 - a[1] + b[1];
    dspfn_sse2_store2(dst + i, sse2_y(_mm_setr_pd(s0, s1), nv, squared));
    sum = s1;
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, sum, n, squared);
}

/* Test hook body (dspfn_mw_test_outputs): the output step of the vector loops alone. */
void dspfn_mw_finish_sse2(const double *s, float *dst, size_t m, double n, int squared) {
  const __m128d nv = _mm_set1_pd(n);
  size_t i = 0;
  for (; i + 2 <= m; i += 2) dspfn_sse2_store2(dst + i, sse2_y(_mm_loadu_pd(s + i), nv, squared));
  for (; i < m; i++) dst[i] = mw_out(s[i], n, squared);
}

/* Direct rms: 8 outputs per step in four vectors (independent sums). */
static void mw_direct_sse2(const double *q, float *dst, size_t m, uint32_t W, size_t K) {
  const __m128d nv = _mm_set1_pd((double)W);
  size_t i = 0;
  for (; i + 8 <= m; i += 8) {
    const double *p = q + i;
    __m128d a = _mm_loadu_pd(p), b = _mm_loadu_pd(p + 2), c = _mm_loadu_pd(p + 4), d = _mm_loadu_pd(p + 6);
    for (uint32_t j = 1; j < W; j++) {
      p += K;
      a = _mm_add_pd(a, _mm_loadu_pd(p));
      b = _mm_add_pd(b, _mm_loadu_pd(p + 2));
      c = _mm_add_pd(c, _mm_loadu_pd(p + 4));
      d = _mm_add_pd(d, _mm_loadu_pd(p + 6));
    }
    _mm_storeu_ps(dst + i, _mm_movelh_ps(sse2_y(a, nv, 1), sse2_y(b, nv, 1)));
    _mm_storeu_ps(dst + i + 4, _mm_movelh_ps(sse2_y(c, nv, 1), sse2_y(d, nv, 1)));
  }
  mw_direct_tail(q + i, dst + i, m - i, W, K);
}

void dspfn_mw_process_sse2(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    mw_direct_blocks(S, src, dst, frames, mw_direct_sse2);
    return;
  }
  if (S->channels == 1) {
    mw_single(S, src, dst, frames, mw_exact_sse2, mw_seq_sse2);
    return;
  }
  if (!mw_counts_equal(S)) {
    dspfn_mw_process_scalar(S, src, dst, frames);
    return;
  }
  uint32_t c = 0;
  for (; c + 2 <= S->channels; c += 2) mw_lanes2_sse2(S, c, src, dst, frames);
  for (; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
}

DSPFN_AVX2 static inline __m256d avx2_exact_y(__m256d s, __m256d n, int squared) {
  return squared ? _mm256_sqrt_pd(_mm256_div_pd(_mm256_and_pd(_mm256_cmp_pd(s, _mm256_setzero_pd(), _CMP_GT_OQ), s), n))
                 : _mm256_div_pd(s, n);
}

/* Four outputs as float32; divides, as sse2_y. */
DSPFN_AVX2 static inline __m128 avx2_y(__m256d s, __m256d n, int squared) {
  return _mm256_cvtpd_ps(avx2_exact_y(s, n, squared));
}

/* G groups of four channels (G = 1 or 2, a constant after inlining), one float64 lane per channel,
 * as mw_lanes2_sse2. Two groups in one frame loop give two independent recursions to overlap,
 * since each alone is bound by its two dependent additions per frame. (Masked loads and stores, to
 * keep 3 channels in one vector, measured slower on Zen 3 than a pair plus a scalar channel.) */
DSPFN_AVX2 DSPFN_INLINE void mw_lanes_avx2(dspfn_mw_t *S, uint32_t c0, const float *src, float *dst,
                                     size_t frames, const int G) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring + c0;
  uint64_t count = S->counts[c0];
  __m256d sum[2];
  for (int g = 0; g < G; g++) sum[g] = _mm256_loadu_pd(S->sums + c0 + 4 * g);
  uint32_t slot = (uint32_t)(count % W);
  uint64_t to_resync = RESYNC - count % RESYNC;
  const __m256d nW = _mm256_set1_pd((double)W);
  for (size_t f = 0; f < frames; f++) {
    float *r = ring + slot * C;
    for (int g = 0; g < G; g++) {
      const __m128 xf = _mm_loadu_ps(src + f * C + c0 + 4 * g);
      const __m256d x = _mm256_cvtps_pd(xf);
      const __m256d old = _mm256_cvtps_pd(_mm_loadu_ps(r + 4 * g));
      sum[g] = squared ? _mm256_add_pd(_mm256_sub_pd(sum[g], _mm256_mul_pd(old, old)), _mm256_mul_pd(x, x))
                       : _mm256_add_pd(_mm256_sub_pd(sum[g], old), x);
      _mm_storeu_ps(r + 4 * g, xf);
    }
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--to_resync == 0) {
      for (int g = 0; g < G; g++) {
        const uint32_t c = c0 + 4 * (uint32_t)g;
        sum[g] = _mm256_setr_pd(dspfn_mw_window_sum(S, c), dspfn_mw_window_sum(S, c + 1), dspfn_mw_window_sum(S, c + 2),
                                dspfn_mw_window_sum(S, c + 3));
      }
      to_resync = RESYNC;
    }
    for (int g = 0; g < G; g++) {
      const __m128 y = count >= W ? avx2_y(sum[g], nW, squared)
                                  : _mm256_cvtpd_ps(avx2_exact_y(sum[g], _mm256_set1_pd((double)count), squared));
      _mm_storeu_ps(dst + f * C + c0 + 4 * g, y);
    }
  }
  for (uint32_t c = c0; c < c0 + 4 * (uint32_t)G; c++) S->counts[c] = count;
  for (int g = 0; g < G; g++) _mm256_storeu_pd(S->sums + c0 + 4 * g, sum[g]);
}

DSPFN_AVX2 static inline __m256d avx2_scan4(__m256d v) {
  const __m256d zero = _mm256_setzero_pd();
  v = _mm256_add_pd(v, _mm256_blend_pd(_mm256_permute4x64_pd(v, _MM_SHUFFLE(2, 1, 0, 0)), zero, 1));
  return _mm256_add_pd(v, _mm256_permute2f128_pd(v, v, 0x08));
}

DSPFN_AVX2 static double mw_exact_avx2(const float *x, const float *old, float *dst, size_t m,
                                 double s0, double n, int squared) {
  const __m256d nv = _mm256_set1_pd(n);
  __m256d carry = _mm256_set1_pd(s0);
  size_t i = 0;
  /* Two vectors per step so the loop-carried chain is one add and one permute per 8 samples. */
  for (; i + 8 <= m; i += 8) {
    const __m256d xa = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), xb = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
    const __m256d oa = _mm256_cvtps_pd(_mm_loadu_ps(old + i)), ob = _mm256_cvtps_pd(_mm_loadu_ps(old + i + 4));
    __m256d a, b;
    if (squared) {
      a = _mm256_sub_pd(_mm256_mul_pd(xa, xa), _mm256_mul_pd(oa, oa));
      b = _mm256_sub_pd(_mm256_mul_pd(xb, xb), _mm256_mul_pd(ob, ob));
    } else {
      a = _mm256_sub_pd(xa, oa);
      b = _mm256_sub_pd(xb, ob);
    }
    a = avx2_scan4(a);
    b = avx2_scan4(b);
    b = _mm256_add_pd(b, _mm256_permute4x64_pd(a, 0xff));
    a = _mm256_add_pd(a, carry);
    b = _mm256_add_pd(b, carry);
    carry = _mm256_permute4x64_pd(b, 0xff);
    _mm_storeu_ps(dst + i, avx2_y(a, nv, squared));
    _mm_storeu_ps(dst + i + 4, avx2_y(b, nv, squared));
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, _mm256_cvtsd_f64(carry), n, squared);
}

DSPFN_AVX2 static double mw_seq_avx2(const float *x, const float *old, float *dst, size_t m,
                               double sum, double n, int squared) {
  const __m256d nv = _mm256_set1_pd(n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const __m256d xv = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), ov = _mm256_cvtps_pd(_mm_loadu_ps(old + i));
    double a[4], b[4];
    _mm256_storeu_pd(a, squared ? _mm256_mul_pd(ov, ov) : ov);
    _mm256_storeu_pd(b, squared ? _mm256_mul_pd(xv, xv) : xv);
    const double s0 = sum - a[0] + b[0], s1 = s0 - a[1] + b[1], s2 = s1 - a[2] + b[2], s3 = s2 - a[3] + b[3];
    _mm_storeu_ps(dst + i, avx2_y(_mm256_setr_pd(s0, s1, s2, s3), nv, squared));
    sum = s3;
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, sum, n, squared);
}

/* Test hook body (dspfn_mw_test_outputs): the output step of the vector loops alone. */
DSPFN_AVX2 void dspfn_mw_finish_avx2(const double *s, float *dst, size_t m, double n, int squared) {
  const __m256d nv = _mm256_set1_pd(n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) _mm_storeu_ps(dst + i, avx2_y(_mm256_loadu_pd(s + i), nv, squared));
  for (; i < m; i++) dst[i] = mw_out(s[i], n, squared);
}

/* Direct rms: 16 outputs per step in four vectors (independent sums). */
DSPFN_AVX2 static void mw_direct_avx2(const double *q, float *dst, size_t m, uint32_t W, size_t K) {
  const __m256d nv = _mm256_set1_pd((double)W);
  size_t i = 0;
  for (; i + 16 <= m; i += 16) {
    const double *p = q + i;
    __m256d a = _mm256_loadu_pd(p), b = _mm256_loadu_pd(p + 4), c = _mm256_loadu_pd(p + 8), d = _mm256_loadu_pd(p + 12);
    for (uint32_t j = 1; j < W; j++) {
      p += K;
      a = _mm256_add_pd(a, _mm256_loadu_pd(p));
      b = _mm256_add_pd(b, _mm256_loadu_pd(p + 4));
      c = _mm256_add_pd(c, _mm256_loadu_pd(p + 8));
      d = _mm256_add_pd(d, _mm256_loadu_pd(p + 12));
    }
    _mm_storeu_ps(dst + i, avx2_y(a, nv, 1));
    _mm_storeu_ps(dst + i + 4, avx2_y(b, nv, 1));
    _mm_storeu_ps(dst + i + 8, avx2_y(c, nv, 1));
    _mm_storeu_ps(dst + i + 12, avx2_y(d, nv, 1));
  }
  for (; i + 4 <= m; i += 4) {
    const double *p = q + i;
    __m256d a = _mm256_loadu_pd(p);
    for (uint32_t j = 1; j < W; j++) a = _mm256_add_pd(a, _mm256_loadu_pd(p += K));
    _mm_storeu_ps(dst + i, avx2_y(a, nv, 1));
  }
  mw_direct_tail(q + i, dst + i, m - i, W, K);
}

DSPFN_AVX2 void dspfn_mw_process_avx2(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    mw_direct_blocks(S, src, dst, frames, mw_direct_avx2);
    return;
  }
  if (S->channels == 1) {
    mw_single(S, src, dst, frames, mw_exact_avx2, mw_seq_avx2);
    return;
  }
  if (!mw_counts_equal(S)) {
    dspfn_mw_process_scalar(S, src, dst, frames);
    return;
  }
  uint32_t c = 0;
  for (; c + 8 <= S->channels; c += 8) mw_lanes_avx2(S, c, src, dst, frames, 2);
  for (; c + 4 <= S->channels; c += 4) mw_lanes_avx2(S, c, src, dst, frames, 1);
  for (; c + 2 <= S->channels; c += 2) mw_lanes2_sse2(S, c, src, dst, frames);
  for (; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
}

#endif /* __x86_64__ */
