/*
 * x86-64 helpers shared by every stage: float32 <-> float64 moves and horizontal sums, written
 * once. SSE2 is the baseline of the x64 build; AVX2 functions carry DSPFN_AVX2 (compiled for AVX2,
 * run only when the CPU has it: common/cpu.c).
 */
#ifndef DSPFN_SIMD_X86_H
#define DSPFN_SIMD_X86_H
#if defined(__x86_64__)
#include <immintrin.h>

#define DSPFN_AVX2 __attribute__((target("avx2")))

/* Two float32 at p as two float64 (an 8-byte load: never reads past p[1]). */
static inline __m128d dspfn_sse2_load2(const float *p) {
  return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(const void *)p)));
}

/* The low two float32 of v to p (an 8-byte store: never writes past p[1]). */
static inline void dspfn_sse2_store2(float *p, __m128 v) {
  _mm_storel_epi64((__m128i *)(void *)p, _mm_castps_si128(v));
}

/* lane 0 + lane 1 */
static inline double dspfn_sse2_hsum(__m128d v) { return _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v))); }

/* (lane 0 + lane 2) + (lane 1 + lane 3) */
DSPFN_AVX2 static inline double dspfn_avx2_hsum(__m256d v) {
  const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#endif /* __x86_64__ */
#endif /* DSPFN_SIMD_X86_H */
