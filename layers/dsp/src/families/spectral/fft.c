/* The spectral stages' real FFT (fft.h); its loops are fft_pass.h, compiled once per instruction set. */
#include "families/spectral/fft.h"

#include "common/lane_names.h"
#include "families/spectral/spectral_math.h"

#define DSPFN_LANES_ISA scalar
#include "families/spectral/fft_pass.h"
#undef DSPFN_LANES_ISA

#if defined(__x86_64__)
#define DSPFN_LANES_ISA sse2
#include "families/spectral/fft_pass.h"
#undef DSPFN_LANES_ISA

#pragma GCC push_options
#pragma GCC target("avx2")
#define DSPFN_LANES_ISA avx2
#include "families/spectral/fft_pass.h"
#undef DSPFN_LANES_ISA
#pragma GCC pop_options
#endif

#if defined(__aarch64__)
#define DSPFN_LANES_ISA neon
#include "families/spectral/fft_pass.h"
#undef DSPFN_LANES_ISA
#endif

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

size_t dspfn_fft_bytes(uint32_t size) {
  const size_t N = size, M = N / 2;
  return 2 * round64(3 * N / 4 * sizeof(double)) + round64(6 * (M / 4) * sizeof(double)) + 4 * round64(M * sizeof(double));
}

void dspfn_fft_init(dspfn_fft *F, void *mem, uint32_t size) {
  const size_t N = size, M = N / 2, m = M / 4;
  unsigned char *at = (unsigned char *)mem;
  F->size = size;
  F->twr = (double *)at;
  at += round64(3 * N / 4 * sizeof(double));
  F->twi = (double *)at;
  at += round64(3 * N / 4 * sizeof(double));
  F->first = (double *)at;
  at += round64(6 * m * sizeof(double));
  double **work[4] = {&F->are, &F->aim, &F->bre, &F->bim};
  for (int i = 0; i < 4; i++) {
    *work[i] = (double *)at;
    at += round64(M * sizeof(double));
  }
  for (size_t k = 0; k < 3 * N / 4; k++) {
    double s, c;
    dspfn_sincos2pi(k, N, &s, &c);
    F->twr[k] = c;
    F->twi[k] = -s;
  }
  /* W_M^{jp} = W_N^{2jp}: the values the general stage reads, laid out contiguously for lanes along p. */
  for (size_t p = 0; p < m; p++) {
    for (size_t j = 1; j <= 3; j++) {
      F->first[(2 * j - 2) * m + p] = F->twr[2 * j * p];
      F->first[(2 * j - 1) * m + p] = F->twi[2 * j * p];
    }
  }
}

void dspfn_fft_power(const dspfn_fft *F, const float *x, const double *window, double *power, dspfn_simd simd) {
  const size_t N = F->size, M = N / 2;
  double *sr = F->are, *si = F->aim, *dr = F->bre, *di = F->bim, *t;
  for (size_t n = 0; n < M; n++) {
    sr[n] = (double)x[2 * n] * window[2 * n];
    si[n] = (double)x[2 * n + 1] * window[2 * n + 1];
  }
#define SWAP() (t = sr, sr = dr, dr = t, t = si, si = di, di = t)
  size_t n = M, s = 1;
  /* the first stage (n = M ≥ 8, s = 1): lanes along p */
  size_t p = 0;
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2: p = fft_first_avx2(M, sr, si, dr, di, F->first, p); __attribute__((fallthrough));
    case DSPFN_SIMD_SSE2: p = fft_first_sse2(M, sr, si, dr, di, F->first, p); break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON: p = fft_first_neon(M, sr, si, dr, di, F->first, p); break;
#endif
    default: break;
  }
  fft_first_scalar(M, sr, si, dr, di, F->first, p);
  SWAP();
  n /= 4;
  s *= 4;
  /* the other stages: s ≥ 4, a multiple of every lane count */
  for (; n >= 8; n /= 4, s *= 4) {
    switch (simd) {
#if defined(__x86_64__)
      case DSPFN_SIMD_AVX2: fft_stage_avx2(N, n, s, sr, si, dr, di, F->twr, F->twi); break;
      case DSPFN_SIMD_SSE2: fft_stage_sse2(N, n, s, sr, si, dr, di, F->twr, F->twi); break;
#endif
#if defined(__aarch64__)
      case DSPFN_SIMD_NEON: fft_stage_neon(N, n, s, sr, si, dr, di, F->twr, F->twi); break;
#endif
      default: fft_stage_scalar(N, n, s, sr, si, dr, di, F->twr, F->twi); break;
    }
    SWAP();
  }
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2: n == 4 ? fft_last4_avx2(s, sr, si, dr, di) : fft_last2_avx2(s, sr, si, dr, di); break;
    case DSPFN_SIMD_SSE2: n == 4 ? fft_last4_sse2(s, sr, si, dr, di) : fft_last2_sse2(s, sr, si, dr, di); break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON: n == 4 ? fft_last4_neon(s, sr, si, dr, di) : fft_last2_neon(s, sr, si, dr, di); break;
#endif
    default: n == 4 ? fft_last4_scalar(s, sr, si, dr, di) : fft_last2_scalar(s, sr, si, dr, di); break;
  }
  SWAP();
#undef SWAP
  /* sr/si: Z in natural order */
  const double u0 = sr[0] + si[0], v0 = sr[0] - si[0];
  power[0] = u0 * u0;
  power[M] = v0 * v0;
  size_t k = 1;
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2: k = fft_recombine_avx2(M, sr, si, F->twr, F->twi, power, k); __attribute__((fallthrough));
    case DSPFN_SIMD_SSE2: k = fft_recombine_sse2(M, sr, si, F->twr, F->twi, power, k); break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON: k = fft_recombine_neon(M, sr, si, F->twr, F->twi, power, k); break;
#endif
    default: break;
  }
  fft_recombine_scalar(M, sr, si, F->twr, F->twi, power, k);
  const size_t h = M / 2;
  power[h] = sr[h] * sr[h] + si[h] * si[h];
}
