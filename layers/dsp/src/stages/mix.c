/*
 * mix({ matrix }): y[n][r] = Σ_c M[r][c]·x[n][c] in float64, added from column 0 up starting from
 * the first product, rounded once to float32. The C counterpart of
 * core/dsp/stages/mix/mix.kernel.ts. The SIMD paths put output channels in float64 lanes: each
 * lane adds its row's products in column order, exactly the scalar operations, so every path gives
 * the same bits. No state (an empty snapshot).
 */
#include <math.h>

#include "common/simd_neon.h"
#include "common/simd_x86.h"
#include "common/stage.h"

#define MIX_MAX_CHANNELS 1024u

typedef struct {
  uint32_t in_channels, out_channels;
  double *mt; /* column-major: mt[c * R + r] = M[r][c], so a column loads as a vector of rows */
  double *x;  /* one frame's inputs, read before any output is written (dst may be src) */
} mix_state;

#define MIX_HEADER ((sizeof(mix_state) + 63) & ~(size_t)63)

/* params: [rows, columns, M[0][0…], columns, M[1][0…], …] (params.ts packs each array as its
 * length, then its items). */
static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params < 3 || !dspfn_whole(params[0], 1, MIX_MAX_CHANNELS) || !dspfn_whole(params[1], 1, MIX_MAX_CHANNELS)) {
    return dspfn_fail(why, DSPFN_E_ARG, "mix needs params [rows, columns, M[0]…, columns, M[1]…, …] with 1..%u rows and columns", MIX_MAX_CHANNELS);
  }
  const size_t R = (size_t)params[0], C = (size_t)params[1];
  if (n_params != 1 + R * (1 + C)) return dspfn_fail(why, DSPFN_E_ARG, "mix needs every row of the matrix to have as many columns as the first");
  for (size_t r = 0; r < R; r++) {
    const double *row = params + 1 + r * (1 + C);
    if (row[0] != (double)C) return dspfn_fail(why, DSPFN_E_ARG, "mix needs every row of the matrix to have as many columns as the first");
    for (size_t c = 0; c < C; c++) {
      if (!isfinite(row[1 + c])) return dspfn_fail(why, DSPFN_E_ARG, "mix needs finite matrix coefficients");
    }
  }
  if (in_channels != C) {
    return dspfn_fail(why, DSPFN_E_ARG, "mix needs %zu-channel input (its matrix has %zu column(s)), but its input has %u channel(s)", C, C, in_channels);
  }
  shape->out_channels = (uint32_t)R;
  shape->mem_bytes = MIX_HEADER + (R * C + C) * sizeof(double);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  mix_state *S = (mix_state *)mem;
  const size_t R = (size_t)params[0], C = in_channels;
  S->in_channels = in_channels;
  S->out_channels = (uint32_t)R;
  S->mt = (double *)((unsigned char *)mem + MIX_HEADER);
  S->x = S->mt + R * C;
  for (size_t r = 0; r < R; r++) {
    for (size_t c = 0; c < C; c++) S->mt[c * R + r] = params[1 + r * (1 + C) + 1 + c];
  }
  return DSPFN_OK;
}

/* Rows from r0 on, one at a time: the TypeScript loop. */
static void mix_rows_scalar(const mix_state *S, size_t r0, float *y) {
  const size_t R = S->out_channels, C = S->in_channels;
  const double *x = S->x;
  for (size_t r = r0; r < R; r++) {
    double acc = S->mt[r] * x[0];
    for (size_t c = 1; c < C; c++) acc += S->mt[c * R + r] * x[c];
    y[r] = (float)acc;
  }
}

#if defined(__x86_64__)
/* Four rows per vector, two vectors at a time while eight rows remain; returns the first row left. */
DSPFN_AVX2 static size_t mix_rows_avx2(const mix_state *S, float *y) {
  const size_t R = S->out_channels, C = S->in_channels;
  const double *x = S->x, *mt = S->mt;
  size_t r = 0;
  for (; r + 8 <= R; r += 8) {
    __m256d a = _mm256_mul_pd(_mm256_loadu_pd(mt + r), _mm256_set1_pd(x[0]));
    __m256d b = _mm256_mul_pd(_mm256_loadu_pd(mt + r + 4), _mm256_set1_pd(x[0]));
    for (size_t c = 1; c < C; c++) {
      const __m256d xc = _mm256_set1_pd(x[c]);
      a = _mm256_add_pd(a, _mm256_mul_pd(_mm256_loadu_pd(mt + c * R + r), xc));
      b = _mm256_add_pd(b, _mm256_mul_pd(_mm256_loadu_pd(mt + c * R + r + 4), xc));
    }
    _mm_storeu_ps(y + r, _mm256_cvtpd_ps(a));
    _mm_storeu_ps(y + r + 4, _mm256_cvtpd_ps(b));
  }
  for (; r + 4 <= R; r += 4) {
    __m256d a = _mm256_mul_pd(_mm256_loadu_pd(mt + r), _mm256_set1_pd(x[0]));
    for (size_t c = 1; c < C; c++) a = _mm256_add_pd(a, _mm256_mul_pd(_mm256_loadu_pd(mt + c * R + r), _mm256_set1_pd(x[c])));
    _mm_storeu_ps(y + r, _mm256_cvtpd_ps(a));
  }
  return r;
}

static size_t mix_rows_sse2(const mix_state *S, size_t r0, float *y) {
  const size_t R = S->out_channels, C = S->in_channels;
  const double *x = S->x, *mt = S->mt;
  size_t r = r0;
  for (; r + 2 <= R; r += 2) {
    __m128d a = _mm_mul_pd(_mm_loadu_pd(mt + r), _mm_set1_pd(x[0]));
    for (size_t c = 1; c < C; c++) a = _mm_add_pd(a, _mm_mul_pd(_mm_loadu_pd(mt + c * R + r), _mm_set1_pd(x[c])));
    dspfn_sse2_store2(y + r, _mm_cvtpd_ps(a));
  }
  return r;
}
#endif

#if defined(__aarch64__)
static size_t mix_rows_neon(const mix_state *S, float *y) {
  const size_t R = S->out_channels, C = S->in_channels;
  const double *x = S->x, *mt = S->mt;
  size_t r = 0;
  for (; r + 4 <= R; r += 4) {
    float64x2_t a = vmulq_f64(vld1q_f64(mt + r), vdupq_n_f64(x[0]));
    float64x2_t b = vmulq_f64(vld1q_f64(mt + r + 2), vdupq_n_f64(x[0]));
    for (size_t c = 1; c < C; c++) {
      const float64x2_t xc = vdupq_n_f64(x[c]);
      a = vaddq_f64(a, vmulq_f64(vld1q_f64(mt + c * R + r), xc));
      b = vaddq_f64(b, vmulq_f64(vld1q_f64(mt + c * R + r + 2), xc));
    }
    dspfn_neon_store2(y + r, a);
    dspfn_neon_store2(y + r + 2, b);
  }
  for (; r + 2 <= R; r += 2) {
    float64x2_t a = vmulq_f64(vld1q_f64(mt + r), vdupq_n_f64(x[0]));
    for (size_t c = 1; c < C; c++) a = vaddq_f64(a, vmulq_f64(vld1q_f64(mt + c * R + r), vdupq_n_f64(x[c])));
    dspfn_neon_store2(y + r, a);
  }
  return r;
}
#endif

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  mix_state *S = (mix_state *)state;
  const size_t R = S->out_channels, C = S->in_channels;
  for (size_t f = 0; f < frames; f++) {
    for (size_t c = 0; c < C; c++) S->x[c] = (double)src[f * C + c];
    float *y = dst + f * R;
    size_t r = 0;
    switch (simd) {
#if defined(__x86_64__)
      case DSPFN_SIMD_AVX2:
        r = mix_rows_avx2(S, y);
        __attribute__((fallthrough));
      case DSPFN_SIMD_SSE2:
        r = mix_rows_sse2(S, r, y);
        break;
#endif
#if defined(__aarch64__)
      case DSPFN_SIMD_NEON:
        r = mix_rows_neon(S, y);
        break;
#endif
      default:
        break;
    }
    mix_rows_scalar(S, r, y);
  }
  out->frames = frames;
  return DSPFN_OK;
}

DSPFN_STATELESS_STAGE_OPS(mix, process);
