/*
 * arm64 helpers shared by every stage (Advanced SIMD, two float64 lanes). The arm64 build targets
 * neoverse-n1 (Graviton2), where NEON is architectural.
 */
#ifndef DSPFN_SIMD_NEON_H
#define DSPFN_SIMD_NEON_H
#if defined(__aarch64__)
#include <arm_neon.h>

/* Two float32 at p as two float64 (never reads past p[1]). */
static inline float64x2_t dspfn_neon_load2(const float *p) { return vcvt_f64_f32(vld1_f32(p)); }

/* Two float64 rounded to float32, to p (never writes past p[1]). */
static inline void dspfn_neon_store2(float *p, float64x2_t v) { vst1_f32(p, vcvt_f32_f64(v)); }

#endif /* __aarch64__ */
#endif /* DSPFN_SIMD_NEON_H */
