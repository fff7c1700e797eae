/*
 * The canonical FIR dot product (fir_dot.h; the order is written out in
 * core/dsp/stages/families/fir/fir-dot.ts): s_l over taps j ≡ l (mod 8) of the 8-tap blocks,
 * y = ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)), then the last taps mod 8 products in order.
 *
 * Speed comes from vectors along the taps and from several outputs at once (register blocking):
 * each coefficient vector is loaded once for all of them, and their independent accumulators keep
 * the adders busy. The tail taps are added across outputs, one vector lane per output, which is
 * each output's own sequence of additions. No fused multiply-add: the products of float64
 * coefficients and samples are not exact, and TypeScript rounds the product before adding it.
 */
#include "families/fir/fir_dot.h"

#include "common/simd_neon.h"
#include "common/simd_x86.h"

/* ---- scalar: eight doubles ---- */

static inline double fir_dot_scalar(const double *g, const double *x, size_t taps) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  size_t j = 0;
  for (; j + 8 <= taps; j += 8) {
    s0 += g[j] * x[j];
    s1 += g[j + 1] * x[j + 1];
    s2 += g[j + 2] * x[j + 2];
    s3 += g[j + 3] * x[j + 3];
    s4 += g[j + 4] * x[j + 4];
    s5 += g[j + 5] * x[j + 5];
    s6 += g[j + 6] * x[j + 6];
    s7 += g[j + 7] * x[j + 7];
  }
  double y = ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
  for (; j < taps; j++) y += g[j] * x[j];
  return y;
}

static void fir_dots_scalar(const double *g, size_t taps, const double *x, size_t step, size_t from, size_t n, float *dst,
                            size_t dst_stride) {
  for (size_t i = from; i < n; i++) dst[i * dst_stride] = (float)fir_dot_scalar(g, x + i * step, taps);
}

#if defined(__x86_64__)
/* ---- SSE2: two outputs, each over four 2-lane accumulators (s0 s1 | s2 s3 | s4 s5 | s6 s7) ---- */

/* ((s0 + s4) + (s2 + s6), (s1 + s5) + (s3 + s7)) from the four accumulators. */
static inline __m128d sse2_fold(__m128d a0, __m128d a1, __m128d a2, __m128d a3) {
  return _mm_add_pd(_mm_add_pd(a0, a2), _mm_add_pd(a1, a3));
}

static inline double fir_dot_sse2(const double *g, const double *x, size_t taps) {
  __m128d a0 = _mm_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  size_t j = 0;
  for (; j + 8 <= taps; j += 8) {
    a0 = _mm_add_pd(a0, _mm_mul_pd(_mm_loadu_pd(g + j), _mm_loadu_pd(x + j)));
    a1 = _mm_add_pd(a1, _mm_mul_pd(_mm_loadu_pd(g + j + 2), _mm_loadu_pd(x + j + 2)));
    a2 = _mm_add_pd(a2, _mm_mul_pd(_mm_loadu_pd(g + j + 4), _mm_loadu_pd(x + j + 4)));
    a3 = _mm_add_pd(a3, _mm_mul_pd(_mm_loadu_pd(g + j + 6), _mm_loadu_pd(x + j + 6)));
  }
  double y = dspfn_sse2_hsum(sse2_fold(a0, a1, a2, a3));
  for (; j < taps; j++) y += g[j] * x[j];
  return y;
}

static size_t fir_dots_sse2(const double *g, size_t taps, const double *x, size_t step, size_t n, float *dst, size_t dst_stride) {
  const size_t blocked = taps & ~(size_t)7;
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const double *x0 = x + i * step, *x1 = x0 + step;
    __m128d a0 = _mm_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (size_t j = 0; j < blocked; j += 8) {
      const __m128d g0 = _mm_loadu_pd(g + j), g1 = _mm_loadu_pd(g + j + 2), g2 = _mm_loadu_pd(g + j + 4), g3 = _mm_loadu_pd(g + j + 6);
      a0 = _mm_add_pd(a0, _mm_mul_pd(g0, _mm_loadu_pd(x0 + j)));
      a1 = _mm_add_pd(a1, _mm_mul_pd(g1, _mm_loadu_pd(x0 + j + 2)));
      a2 = _mm_add_pd(a2, _mm_mul_pd(g2, _mm_loadu_pd(x0 + j + 4)));
      a3 = _mm_add_pd(a3, _mm_mul_pd(g3, _mm_loadu_pd(x0 + j + 6)));
      b0 = _mm_add_pd(b0, _mm_mul_pd(g0, _mm_loadu_pd(x1 + j)));
      b1 = _mm_add_pd(b1, _mm_mul_pd(g1, _mm_loadu_pd(x1 + j + 2)));
      b2 = _mm_add_pd(b2, _mm_mul_pd(g2, _mm_loadu_pd(x1 + j + 4)));
      b3 = _mm_add_pd(b3, _mm_mul_pd(g3, _mm_loadu_pd(x1 + j + 6)));
    }
    const __m128d u = sse2_fold(a0, a1, a2, a3), v = sse2_fold(b0, b1, b2, b3);
    /* (u0 + u1, v0 + v1): the two outputs, one per lane */
    __m128d y = _mm_add_pd(_mm_unpacklo_pd(u, v), _mm_unpackhi_pd(u, v));
    for (size_t j = blocked; j < taps; j++) y = _mm_add_pd(y, _mm_mul_pd(_mm_set1_pd(g[j]), _mm_set_pd(x1[j], x0[j])));
    const __m128 f = _mm_cvtpd_ps(y);
    if (dst_stride == 1) {
      dspfn_sse2_store2(dst + i, f);
    } else {
      _mm_store_ss(dst + i * dst_stride, f);
      _mm_store_ss(dst + (i + 1) * dst_stride, _mm_shuffle_ps(f, f, 1));
    }
  }
  for (; i < n; i++) dst[i * dst_stride] = (float)fir_dot_sse2(g, x + i * step, taps);
  return i;
}

/* ---- AVX2: four outputs, each over two 4-lane accumulators (s0 … s3 | s4 … s7) ---- */

DSPFN_AVX2 static inline double fir_dot_avx2(const double *g, const double *x, size_t taps) {
  __m256d a = _mm256_setzero_pd(), b = a;
  size_t j = 0;
  for (; j + 8 <= taps; j += 8) {
    a = _mm256_add_pd(a, _mm256_mul_pd(_mm256_loadu_pd(g + j), _mm256_loadu_pd(x + j)));
    b = _mm256_add_pd(b, _mm256_mul_pd(_mm256_loadu_pd(g + j + 4), _mm256_loadu_pd(x + j + 4)));
  }
  /* a + b = (s0+s4, s1+s5, s2+s6, s3+s7); the hsum adds lanes 0+2 and 1+3, then those. */
  double y = dspfn_avx2_hsum(_mm256_add_pd(a, b));
  for (; j < taps; j++) y += g[j] * x[j];
  return y;
}

/* From v_r = a_r + b_r of four outputs: (y0, y1, y2, y3), y_r = (v_r[0] + v_r[2]) + (v_r[1] + v_r[3]). */
DSPFN_AVX2 static inline __m256d avx2_fold4(__m256d v0, __m256d v1, __m256d v2, __m256d v3) {
  /* (v0[0]+v0[2], v0[1]+v0[3], v1[0]+v1[2], v1[1]+v1[3]) and the same for v2, v3 */
  const __m256d p01 = _mm256_add_pd(_mm256_permute2f128_pd(v0, v1, 0x20), _mm256_permute2f128_pd(v0, v1, 0x31));
  const __m256d p23 = _mm256_add_pd(_mm256_permute2f128_pd(v2, v3, 0x20), _mm256_permute2f128_pd(v2, v3, 0x31));
  /* hadd gives (y0, y2, y1, y3) */
  return _mm256_permute4x64_pd(_mm256_hadd_pd(p01, p23), _MM_SHUFFLE(3, 1, 2, 0));
}

DSPFN_AVX2 static size_t fir_dots_avx2(const double *g, size_t taps, const double *x, size_t step, size_t n, float *dst,
                                       size_t dst_stride) {
  const size_t blocked = taps & ~(size_t)7;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double *x0 = x + i * step, *x1 = x0 + step, *x2 = x1 + step, *x3 = x2 + step;
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (size_t j = 0; j < blocked; j += 8) {
      const __m256d ga = _mm256_loadu_pd(g + j), gb = _mm256_loadu_pd(g + j + 4);
      a0 = _mm256_add_pd(a0, _mm256_mul_pd(ga, _mm256_loadu_pd(x0 + j)));
      b0 = _mm256_add_pd(b0, _mm256_mul_pd(gb, _mm256_loadu_pd(x0 + j + 4)));
      a1 = _mm256_add_pd(a1, _mm256_mul_pd(ga, _mm256_loadu_pd(x1 + j)));
      b1 = _mm256_add_pd(b1, _mm256_mul_pd(gb, _mm256_loadu_pd(x1 + j + 4)));
      a2 = _mm256_add_pd(a2, _mm256_mul_pd(ga, _mm256_loadu_pd(x2 + j)));
      b2 = _mm256_add_pd(b2, _mm256_mul_pd(gb, _mm256_loadu_pd(x2 + j + 4)));
      a3 = _mm256_add_pd(a3, _mm256_mul_pd(ga, _mm256_loadu_pd(x3 + j)));
      b3 = _mm256_add_pd(b3, _mm256_mul_pd(gb, _mm256_loadu_pd(x3 + j + 4)));
    }
    __m256d y = avx2_fold4(_mm256_add_pd(a0, b0), _mm256_add_pd(a1, b1), _mm256_add_pd(a2, b2), _mm256_add_pd(a3, b3));
    for (size_t j = blocked; j < taps; j++) {
      const __m256d xs = step == 1 ? _mm256_loadu_pd(x0 + j) : _mm256_set_pd(x3[j], x2[j], x1[j], x0[j]);
      y = _mm256_add_pd(y, _mm256_mul_pd(_mm256_set1_pd(g[j]), xs));
    }
    const __m128 f = _mm256_cvtpd_ps(y);
    if (dst_stride == 1) {
      _mm_storeu_ps(dst + i, f);
    } else {
      _mm_store_ss(dst + i * dst_stride, f);
      _mm_store_ss(dst + (i + 1) * dst_stride, _mm_shuffle_ps(f, f, 1));
      _mm_store_ss(dst + (i + 2) * dst_stride, _mm_shuffle_ps(f, f, 2));
      _mm_store_ss(dst + (i + 3) * dst_stride, _mm_shuffle_ps(f, f, 3));
    }
  }
  for (; i < n; i++) dst[i * dst_stride] = (float)fir_dot_avx2(g, x + i * step, taps);
  return i;
}
#endif /* __x86_64__ */

#if defined(__aarch64__)
/* ---- NEON: four outputs, each over four 2-lane accumulators (s0 s1 | s2 s3 | s4 s5 | s6 s7) ---- */

static inline float64x2_t neon_fold(float64x2_t a0, float64x2_t a1, float64x2_t a2, float64x2_t a3) {
  return vaddq_f64(vaddq_f64(a0, a2), vaddq_f64(a1, a3));
}

static inline double fir_dot_neon(const double *g, const double *x, size_t taps) {
  float64x2_t a0 = vdupq_n_f64(0), a1 = a0, a2 = a0, a3 = a0;
  size_t j = 0;
  for (; j + 8 <= taps; j += 8) {
    a0 = vaddq_f64(a0, vmulq_f64(vld1q_f64(g + j), vld1q_f64(x + j)));
    a1 = vaddq_f64(a1, vmulq_f64(vld1q_f64(g + j + 2), vld1q_f64(x + j + 2)));
    a2 = vaddq_f64(a2, vmulq_f64(vld1q_f64(g + j + 4), vld1q_f64(x + j + 4)));
    a3 = vaddq_f64(a3, vmulq_f64(vld1q_f64(g + j + 6), vld1q_f64(x + j + 6)));
  }
  double y = vaddvq_f64(neon_fold(a0, a1, a2, a3));
  for (; j < taps; j++) y += g[j] * x[j];
  return y;
}

/* Two outputs' tails, one per lane, then their float32 stores. */
static inline void neon_finish2(float64x2_t y, const double *g, size_t blocked, size_t taps, const double *x0,
                                const double *x1, size_t step, float *dst, size_t dst_stride) {
  for (size_t j = blocked; j < taps; j++) {
    const float64x2_t xs = step == 1 ? vld1q_f64(x0 + j) : vsetq_lane_f64(x1[j], vdupq_n_f64(x0[j]), 1);
    y = vaddq_f64(y, vmulq_f64(vdupq_n_f64(g[j]), xs));
  }
  const float32x2_t f = vcvt_f32_f64(y);
  if (dst_stride == 1) {
    vst1_f32(dst, f);
  } else {
    vst1_lane_f32(dst, f, 0);
    vst1_lane_f32(dst + dst_stride, f, 1);
  }
}

static size_t fir_dots_neon(const double *g, size_t taps, const double *x, size_t step, size_t n, float *dst, size_t dst_stride) {
  const size_t blocked = taps & ~(size_t)7;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double *xr[4] = {x + i * step, x + (i + 1) * step, x + (i + 2) * step, x + (i + 3) * step};
    float64x2_t acc[4][4];
    for (int r = 0; r < 4; r++) {
      for (int q = 0; q < 4; q++) acc[r][q] = vdupq_n_f64(0);
    }
    for (size_t j = 0; j < blocked; j += 8) {
      const float64x2_t gq[4] = {vld1q_f64(g + j), vld1q_f64(g + j + 2), vld1q_f64(g + j + 4), vld1q_f64(g + j + 6)};
      for (int r = 0; r < 4; r++) {
        for (int q = 0; q < 4; q++) acc[r][q] = vaddq_f64(acc[r][q], vmulq_f64(gq[q], vld1q_f64(xr[r] + j + 2 * q)));
      }
    }
    float64x2_t v[4];
    for (int r = 0; r < 4; r++) v[r] = neon_fold(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
    /* (y0, y1) and (y2, y3): pairwise adds of each output's two lanes */
    neon_finish2(vpaddq_f64(v[0], v[1]), g, blocked, taps, xr[0], xr[1], step, dst + i * dst_stride, dst_stride);
    neon_finish2(vpaddq_f64(v[2], v[3]), g, blocked, taps, xr[2], xr[3], step, dst + (i + 2) * dst_stride, dst_stride);
  }
  for (; i < n; i++) dst[i * dst_stride] = (float)fir_dot_neon(g, x + i * step, taps);
  return i;
}
#endif /* __aarch64__ */

void dspfn_fir_dots(dspfn_simd simd, const double *g, size_t taps, const double *x, size_t step, size_t n, float *dst,
                    size_t dst_stride) {
  size_t done = 0;
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      done = fir_dots_avx2(g, taps, x, step, n, dst, dst_stride);
      break;
    case DSPFN_SIMD_SSE2:
      done = fir_dots_sse2(g, taps, x, step, n, dst, dst_stride);
      break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      done = fir_dots_neon(g, taps, x, step, n, dst, dst_stride);
      break;
#endif
    default:
      break;
  }
  fir_dots_scalar(g, taps, x, step, done, n, dst, dst_stride);
}
