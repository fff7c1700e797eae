/*
 * nlms and lms (stages/nlms.c, stages/lms.c): the C counterpart of
 * core/dsp/stages/families/adaptive-filter/adaptive-filter.kernel.ts.
 *
 * Per frame [x, d]: push x into the newest-first history v, y = w·v, energy = v·v (float64
 * accumulation of float32 operands), e = d - y, step = mu e / (eps + energy) (NLMS) or mu e (LMS),
 * w[i] = f32(w[i] + step v[i]), output f32(e).
 *
 * The scalar path is the TypeScript loop in the same order and is bit-exact. The SIMD paths
 * split y and energy over several float64 accumulators (lanes and unrolling), which reorders
 * the additions: each product w[i] v[i] is exact in float64 (24-bit x 24-bit mantissas), so the
 * only difference is the rounding of the sums, |dy| <= ~taps * 2^-53 * sum|w v|. The weight update
 * has the same operation order as TypeScript. Because y feeds back through e, such differences
 * can change a weight's float32 rounding and the runs then drift apart slowly; the tests bound the
 * effect on the output (see layers/dsp/README.md).
 */
#include <math.h>
#include <string.h>

#include "common/simd_neon.h"
#include "common/simd_x86.h"
#include "families/adaptive_filter/adaptive_filter.h"

/* History pushes between two moves of the history back to the top of its buffer. */
static uint32_t nlms_spare(uint32_t taps) { return taps + 64; }

size_t dspfn_nlms_mem_bytes(uint32_t taps) {
  return ((size_t)taps * 2 + nlms_spare(taps)) * sizeof(float);
}

int dspfn_nlms_init(dspfn_nlms_t *S, uint32_t taps, double mu, double eps, int normalised,
                    void *mem, size_t mem_bytes) {
  if (taps < 1 || taps > DSPFN_AF_MAX_TAPS || !isfinite(mu) || !isfinite(eps) || eps < 0) {
    return DSPFN_E_ARG;
  }
  const size_t need = dspfn_nlms_mem_bytes(taps);
  if (mem == NULL || ((uintptr_t)mem % sizeof(float)) != 0 || mem_bytes < need) return DSPFN_E_MEM;
  memset(mem, 0, need);
  S->taps = taps;
  S->normalised = normalised != 0;
  S->mu = mu;
  S->eps = eps;
  S->count = 0;
  S->weights = (float *)mem;
  S->hist = S->weights + taps;
  S->spare = nlms_spare(taps);
  S->pos = S->spare;
  return DSPFN_OK;
}

/* Makes x the newest history sample and returns the newest-first view of length taps. */
static inline const float *nlms_push(dspfn_nlms_t *S, float x) {
  if (S->pos == 0) {
    memcpy(S->hist + S->spare + 1, S->hist, (size_t)(S->taps - 1) * sizeof(float));
    S->pos = S->spare + 1;
  }
  S->hist[--S->pos] = x;
  return S->hist + S->pos;
}

static inline double nlms_step(const dspfn_nlms_t *S, double e, double energy) {
  return S->normalised ? (S->mu * e) / (S->eps + energy) : S->mu * e;
}

int dspfn_nlms_process_scalar(dspfn_nlms_t *S, const float *src, float *dst, size_t frames) {
  const uint32_t taps = S->taps;
  float *w = S->weights;
  for (size_t n = 0; n < frames; n++) {
    const float x = src[2 * n], d = src[2 * n + 1]; /* read before dst[n]: dst may be src */
    const float *v = nlms_push(S, x);
    double y = 0, energy = 0;
    for (uint32_t i = 0; i < taps; i++) {
      const double vi = v[i];
      y += (double)w[i] * vi;
      energy += vi * vi;
    }
    const double e = (double)d - y;
    const double step = nlms_step(S, e, energy);
    for (uint32_t i = 0; i < taps; i++) w[i] = (float)((double)w[i] + step * (double)v[i]);
    dst[n] = (float)e;
  }
  S->count += (double)frames;
  return DSPFN_OK;
}

/* ---------------------------------------------------------------------------------------------
 * x86-64: SSE2 (baseline) and AVX2 (chosen at run time).
 * ------------------------------------------------------------------------------------------- */
#if defined(__x86_64__)

static void nlms_process_sse2(dspfn_nlms_t *S, const float *src, float *dst, size_t frames) {
  const uint32_t taps = S->taps;
  float *w = S->weights;
  for (size_t n = 0; n < frames; n++) {
    const float x = src[2 * n], d = src[2 * n + 1];
    const float *v = nlms_push(S, x);
    __m128d y0 = _mm_setzero_pd(), y1 = y0, e0 = y0, e1 = y0;
    uint32_t i = 0;
    for (; i + 4 <= taps; i += 4) {
      const __m128d v0 = dspfn_sse2_load2(v + i), v1 = dspfn_sse2_load2(v + i + 2);
      y0 = _mm_add_pd(y0, _mm_mul_pd(dspfn_sse2_load2(w + i), v0));
      y1 = _mm_add_pd(y1, _mm_mul_pd(dspfn_sse2_load2(w + i + 2), v1));
      e0 = _mm_add_pd(e0, _mm_mul_pd(v0, v0));
      e1 = _mm_add_pd(e1, _mm_mul_pd(v1, v1));
    }
    double y = dspfn_sse2_hsum(_mm_add_pd(y0, y1)), energy = dspfn_sse2_hsum(_mm_add_pd(e0, e1));
    for (; i < taps; i++) {
      const double vi = v[i];
      y += (double)w[i] * vi;
      energy += vi * vi;
    }
    const double e = (double)d - y;
    const __m128d step = _mm_set1_pd(nlms_step(S, e, energy));
    i = 0;
    for (; i + 4 <= taps; i += 4) {
      const __m128 lo = _mm_cvtpd_ps(_mm_add_pd(dspfn_sse2_load2(w + i), _mm_mul_pd(step, dspfn_sse2_load2(v + i))));
      const __m128 hi = _mm_cvtpd_ps(_mm_add_pd(dspfn_sse2_load2(w + i + 2), _mm_mul_pd(step, dspfn_sse2_load2(v + i + 2))));
      _mm_storeu_ps(w + i, _mm_movelh_ps(lo, hi));
    }
    const double s = _mm_cvtsd_f64(step);
    for (; i < taps; i++) w[i] = (float)((double)w[i] + s * (double)v[i]);
    dst[n] = (float)e;
  }
  S->count += (double)frames;
}

/* y = w·v and energy = v·v, four accumulators of four lanes each side. */
DSPFN_AVX2 static inline void avx2_dots(const float *w, const float *v, uint32_t taps, double *y, double *energy) {
  __m256d y0 = _mm256_setzero_pd(), y1 = y0, e0 = y0, e1 = y0;
  uint32_t i = 0;
  for (; i + 8 <= taps; i += 8) {
    const __m256d v0 = _mm256_cvtps_pd(_mm_loadu_ps(v + i)), v1 = _mm256_cvtps_pd(_mm_loadu_ps(v + i + 4));
    y0 = _mm256_add_pd(y0, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(w + i)), v0));
    y1 = _mm256_add_pd(y1, _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(w + i + 4)), v1));
    e0 = _mm256_add_pd(e0, _mm256_mul_pd(v0, v0));
    e1 = _mm256_add_pd(e1, _mm256_mul_pd(v1, v1));
  }
  double ys = dspfn_avx2_hsum(_mm256_add_pd(y0, y1)), es = dspfn_avx2_hsum(_mm256_add_pd(e0, e1));
  for (; i < taps; i++) {
    const double vi = v[i];
    ys += (double)w[i] * vi;
    es += vi * vi;
  }
  *y = ys;
  *energy = es;
}

/*
 * One pass over the taps per frame: the weight update of frame n (in TypeScript's operation order)
 * fused with the dot products of frame n+1, whose newest-first history is this frame's shifted by
 * one (next[i] = v[i - 1]), so weights are loaded and stored once per frame and the next dot
 * product does not wait for the stores.
 */
DSPFN_AVX2 static void nlms_process_avx2(dspfn_nlms_t *S, const float *src, float *dst, size_t frames) {
  const uint32_t taps = S->taps;
  float *w = S->weights;
  if (frames == 0) return;
  const float *v = nlms_push(S, src[0]);
  double y, energy;
  avx2_dots(w, v, taps, &y, &energy);
  for (size_t n = 0; n < frames; n++) {
    const double e = (double)src[2 * n + 1] - y; /* read before dst[n]: dst may be src */
    const double s = nlms_step(S, e, energy);
    const __m256d step = _mm256_set1_pd(s);
    if (n + 1 == frames) {
      uint32_t i = 0;
      for (; i + 4 <= taps; i += 4) {
        const __m256d wi = _mm256_cvtps_pd(_mm_loadu_ps(w + i)), vi = _mm256_cvtps_pd(_mm_loadu_ps(v + i));
        _mm_storeu_ps(w + i, _mm256_cvtpd_ps(_mm256_add_pd(wi, _mm256_mul_pd(step, vi))));
      }
      for (; i < taps; i++) w[i] = (float)((double)w[i] + s * (double)v[i]);
      dst[n] = (float)e;
      break;
    }
    const float x_next = src[2 * n + 2];
    dst[n] = (float)e;
    /* The push may move the history up its buffer, but never over the current view. */
    const float *next = nlms_push(S, x_next);
    __m256d y0 = _mm256_setzero_pd(), y1 = y0, e0 = y0, e1 = y0;
    uint32_t i = 0;
    for (; i + 8 <= taps; i += 8) {
      const __m128 w0f = _mm256_cvtpd_ps(_mm256_add_pd(_mm256_cvtps_pd(_mm_loadu_ps(w + i)),
                                                        _mm256_mul_pd(step, _mm256_cvtps_pd(_mm_loadu_ps(v + i)))));
      const __m128 w1f = _mm256_cvtpd_ps(_mm256_add_pd(_mm256_cvtps_pd(_mm_loadu_ps(w + i + 4)),
                                                        _mm256_mul_pd(step, _mm256_cvtps_pd(_mm_loadu_ps(v + i + 4)))));
      _mm_storeu_ps(w + i, w0f);
      _mm_storeu_ps(w + i + 4, w1f);
      const __m256d n0 = _mm256_cvtps_pd(_mm_loadu_ps(next + i)), n1 = _mm256_cvtps_pd(_mm_loadu_ps(next + i + 4));
      y0 = _mm256_add_pd(y0, _mm256_mul_pd(_mm256_cvtps_pd(w0f), n0));
      y1 = _mm256_add_pd(y1, _mm256_mul_pd(_mm256_cvtps_pd(w1f), n1));
      e0 = _mm256_add_pd(e0, _mm256_mul_pd(n0, n0));
      e1 = _mm256_add_pd(e1, _mm256_mul_pd(n1, n1));
    }
    y = dspfn_avx2_hsum(_mm256_add_pd(y0, y1));
    energy = dspfn_avx2_hsum(_mm256_add_pd(e0, e1));
    for (; i < taps; i++) {
      w[i] = (float)((double)w[i] + s * (double)v[i]);
      const double ni = next[i];
      y += (double)w[i] * ni;
      energy += ni * ni;
    }
    v = next;
  }
  S->count += (double)frames;
}

#endif /* __x86_64__ */

/* ---------------------------------------------------------------------------------------------
 * arm64: Advanced SIMD (NEON), two float64 lanes, four accumulators.
 * ------------------------------------------------------------------------------------------- */
#if defined(__aarch64__)

/* Fused multiply-add does not change the dot products: a product of two float32 values is exact in
 * float64, so fma(w, v, acc) rounds exactly like acc + w*v. */
static inline void neon_dots(const float *w, const float *v, uint32_t taps, double *y, double *energy) {
  float64x2_t y0 = vdupq_n_f64(0), y1 = y0, e0 = y0, e1 = y0;
  uint32_t i = 0;
  for (; i + 4 <= taps; i += 4) {
    const float32x4_t vf = vld1q_f32(v + i), wf = vld1q_f32(w + i);
    const float64x2_t v0 = vcvt_f64_f32(vget_low_f32(vf)), v1 = vcvt_high_f64_f32(vf);
    y0 = vfmaq_f64(y0, vcvt_f64_f32(vget_low_f32(wf)), v0);
    y1 = vfmaq_f64(y1, vcvt_high_f64_f32(wf), v1);
    e0 = vfmaq_f64(e0, v0, v0);
    e1 = vfmaq_f64(e1, v1, v1);
  }
  double ys = vaddvq_f64(vaddq_f64(y0, y1)), es = vaddvq_f64(vaddq_f64(e0, e1));
  for (; i < taps; i++) {
    const double vi = v[i];
    ys += (double)w[i] * vi;
    es += vi * vi;
  }
  *y = ys;
  *energy = es;
}

/* w[i..i+3] = f32(w + step v), not fused: step * v is rounded in TypeScript before the addition. */
static inline float32x4_t neon_update4(const float *w, const float *v, float64x2_t step) {
  const float32x4_t vf = vld1q_f32(v), wf = vld1q_f32(w);
  const float64x2_t lo = vaddq_f64(vcvt_f64_f32(vget_low_f32(wf)), vmulq_f64(step, vcvt_f64_f32(vget_low_f32(vf))));
  const float64x2_t hi = vaddq_f64(vcvt_high_f64_f32(wf), vmulq_f64(step, vcvt_high_f64_f32(vf)));
  return vcvt_high_f32_f64(vcvt_f32_f64(lo), hi);
}

/* One pass over the taps per frame, as nlms_process_avx2. */
static void nlms_process_neon(dspfn_nlms_t *S, const float *src, float *dst, size_t frames) {
  const uint32_t taps = S->taps;
  float *w = S->weights;
  if (frames == 0) return;
  const float *v = nlms_push(S, src[0]);
  double y, energy;
  neon_dots(w, v, taps, &y, &energy);
  for (size_t n = 0; n < frames; n++) {
    const double e = (double)src[2 * n + 1] - y; /* read before dst[n]: dst may be src */
    const double s = nlms_step(S, e, energy);
    const float64x2_t step = vdupq_n_f64(s);
    if (n + 1 == frames) {
      uint32_t i = 0;
      for (; i + 4 <= taps; i += 4) vst1q_f32(w + i, neon_update4(w + i, v + i, step));
      for (; i < taps; i++) w[i] = (float)((double)w[i] + s * (double)v[i]);
      dst[n] = (float)e;
      break;
    }
    const float x_next = src[2 * n + 2];
    dst[n] = (float)e;
    const float *next = nlms_push(S, x_next);
    float64x2_t y0 = vdupq_n_f64(0), y1 = y0, e0 = y0, e1 = y0;
    uint32_t i = 0;
    for (; i + 4 <= taps; i += 4) {
      const float32x4_t wf = neon_update4(w + i, v + i, step);
      vst1q_f32(w + i, wf);
      const float32x4_t nf = vld1q_f32(next + i);
      const float64x2_t n0 = vcvt_f64_f32(vget_low_f32(nf)), n1 = vcvt_high_f64_f32(nf);
      y0 = vfmaq_f64(y0, vcvt_f64_f32(vget_low_f32(wf)), n0);
      y1 = vfmaq_f64(y1, vcvt_high_f64_f32(wf), n1);
      e0 = vfmaq_f64(e0, n0, n0);
      e1 = vfmaq_f64(e1, n1, n1);
    }
    y = vaddvq_f64(vaddq_f64(y0, y1));
    energy = vaddvq_f64(vaddq_f64(e0, e1));
    for (; i < taps; i++) {
      w[i] = (float)((double)w[i] + s * (double)v[i]);
      const double ni = next[i];
      y += (double)w[i] * ni;
      energy += ni * ni;
    }
    v = next;
  }
  S->count += (double)frames;
}

#endif /* __aarch64__ */

int dspfn_nlms_process(dspfn_nlms_t *S, const float *src, float *dst, size_t frames,
                       dspfn_simd simd) {
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      nlms_process_avx2(S, src, dst, frames);
      return DSPFN_OK;
    case DSPFN_SIMD_SSE2:
      nlms_process_sse2(S, src, dst, frames);
      return DSPFN_OK;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      nlms_process_neon(S, src, dst, frames);
      return DSPFN_OK;
#endif
    default:
      return dspfn_nlms_process_scalar(S, src, dst, frames);
  }
}

/* ---------------------------------------------------------------------------------------------
 * State bytes, as AdaptiveFilterKernel.snapshot():
 *   u32 taps · u32 0 · f64 count · f32 weights[taps] · f32 history[taps] (newest first)
 * ------------------------------------------------------------------------------------------- */

size_t dspfn_nlms_snapshot_bytes(const dspfn_nlms_t *S) { return 16 + 8 * (size_t)S->taps; }

int dspfn_nlms_snapshot(const dspfn_nlms_t *S, uint8_t *out, size_t out_bytes) {
  if (out_bytes != dspfn_nlms_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  const uint32_t zero = 0;
  const size_t taps = S->taps;
  memcpy(out, &S->taps, 4);
  memcpy(out + 4, &zero, 4);
  memcpy(out + 8, &S->count, 8);
  memcpy(out + 16, S->weights, taps * 4);
  memcpy(out + 16 + taps * 4, S->hist + S->pos, taps * 4);
  return DSPFN_OK;
}

int dspfn_nlms_restore(dspfn_nlms_t *S, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  const size_t expected = dspfn_nlms_snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "adaptive filter state has %zu bytes, expected %zu", in_bytes, expected);
  const uint32_t taps = dspfn_get_u32(in);
  if (taps != S->taps) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "adaptive filter state has %u taps, stage has %u", taps, S->taps);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "adaptive filter state has %zu bytes, expected %zu", in_bytes, expected);
  /* The u32 after taps is reserved; TypeScript ignores its value and so do we. */
  S->count = dspfn_get_f64(in + 8);
  memcpy(S->weights, in + 16, (size_t)taps * 4);
  S->pos = S->spare;
  memcpy(S->hist + S->pos, in + 16 + (size_t)taps * 4, (size_t)taps * 4);
  return DSPFN_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The ops of nlms and lms: params [taps, mu, eps], 2 channels in ([x, d] frames), 1 out. The state
 * block is the struct, then weights and history.
 * ------------------------------------------------------------------------------------------- */

#define AF_HEADER ((sizeof(dspfn_nlms_t) + 63) & ~(size_t)63)

int dspfn_af_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why,
                   const char *name) {
  if (in_channels != 2) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs 2-channel interleaved input [x0, d0, x1, d1, \xe2\x80\xa6], but its input has %u channel(s)",
                      name, in_channels);
  }
  if (n_params != 3 || !dspfn_whole(params[0], 1, DSPFN_AF_MAX_TAPS) || !isfinite(params[1]) || !(params[1] > 0) ||
      !isfinite(params[2]) || !(params[2] >= 0)) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs params [taps 1..%u, mu > 0, eps >= 0], all finite", name, DSPFN_AF_MAX_TAPS);
  }
  shape->out_channels = 1;
  shape->mem_bytes = AF_HEADER + dspfn_nlms_mem_bytes((uint32_t)params[0]);
  return DSPFN_OK;
}

int dspfn_af_init_block(void *mem, const double *params, int normalised) {
  const uint32_t taps = (uint32_t)params[0];
  return dspfn_nlms_init((dspfn_nlms_t *)mem, taps, params[1], params[2], normalised, (unsigned char *)mem + AF_HEADER,
                         dspfn_nlms_mem_bytes(taps));
}

int dspfn_af_ops_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  const int status = dspfn_nlms_process((dspfn_nlms_t *)state, src, dst, frames, simd);
  out->frames = status == DSPFN_OK ? frames : 0;
  return status;
}

size_t dspfn_af_ops_snapshot_bytes(const void *state) { return dspfn_nlms_snapshot_bytes((const dspfn_nlms_t *)state); }

int dspfn_af_ops_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  return dspfn_nlms_snapshot((const dspfn_nlms_t *)state, out, out_bytes);
}

int dspfn_af_ops_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  return dspfn_nlms_restore((dspfn_nlms_t *)state, in, in_bytes, why);
}
