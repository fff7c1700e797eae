/* Which SIMD path this CPU can run. The x86-64 build targets the baseline (SSE2) and switches to
 * AVX2 only when the CPU reports it; the arm64 build targets Graviton2 (neoverse-n1), where
 * Advanced SIMD is architectural. */
#include "common/stage.h"

dspfn_simd dspfn_simd_best(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? DSPFN_SIMD_AVX2 : DSPFN_SIMD_SSE2;
#elif defined(__aarch64__)
  return DSPFN_SIMD_NEON;
#else
  return DSPFN_SIMD_SCALAR;
#endif
}

int dspfn_simd_available(dspfn_simd simd) {
  switch (simd) {
    case DSPFN_SIMD_SCALAR:
      return 1;
#if defined(__x86_64__)
    case DSPFN_SIMD_SSE2:
      return 1;
    case DSPFN_SIMD_AVX2:
      return dspfn_simd_best() == DSPFN_SIMD_AVX2;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      return 1;
#endif
    default:
      return 0;
  }
}

const char *dspfn_simd_name(dspfn_simd simd) {
  switch (simd) {
    case DSPFN_SIMD_SSE2:
      return "sse2";
    case DSPFN_SIMD_AVX2:
      return "avx2";
    case DSPFN_SIMD_NEON:
      return "neon";
    default:
      return "scalar";
  }
}
