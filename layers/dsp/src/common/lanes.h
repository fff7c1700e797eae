/*
 * The lane driver: a stage writes its per-sample recurrence once, in terms of lane_t (lane_ops.h),
 * and gets a scalar, an SSE2, an AVX2 and a NEON instance, with one channel per float64 lane (lanes
 * never mix, so every instance performs the scalar operations: bit-exact by construction). For
 * recursive per-channel stages (EMA, integrators, biquads, Welford statistics) and, with no state,
 * elementwise ones (gain, clip, rectify), whose lanes are then consecutive samples.
 *
 * In the stage file (stages/ema.c is the example to copy):
 *
 *   #ifndef DSPFN_LANES_PASS
 *   #include "common/stage.h"
 *   typedef struct { double alpha; } ema_params;           // what the recurrence reads
 *   #define DSPFN_LANES_STAGE ema                         // prefix of the generated names
 *   #define DSPFN_LANES_PARAMS ema_params
 *   #define DSPFN_LANES_SLOTS 1                           // float64 state values per channel (0: stateless)
 *   #define DSPFN_LANES_FILE "stages/ema.c"               // this file, from src/
 *   #include "common/lanes.h"                             // re-includes this file once per instruction set
 *   … state, ops; process calls ema_lanes(&params, state, channels, src, dst, frames, simd) …
 *   #else
 *   // Compiled once per instruction set: the recurrence on LANES channels at a time.
 *   DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const ema_params *p, lane_t *s, lane_t x) {
 *     s[0] = lane_add(s[0], lane_mul(lane_set(p->alpha), lane_sub(x, s[0])));
 *     return s[0];
 *   }
 *   #endif
 *
 * Generated: static void <stage>_lanes(const PARAMS *p, double *state, uint32_t channels,
 *   const float *src, float *dst, size_t frames, dspfn_simd simd)
 * runs `frames` interleaved frames through the step (dst may equal src). `state` holds
 * SLOTS × channels doubles, slot-major (state[k * channels + c]), which is also how a stage
 * usually snapshots it. With SLOTS 0 the step gets s == NULL and `state` may be NULL.
 * AVX2 runs 8 channels per frame loop (two vectors: two independent recursions overlap), then 4,
 * then SSE2 pairs, then scalar; NEON runs 4, then 2, then scalar; scalar runs 2 at a time.
 *
 * A family whose loop needs more than the step sees defines DSPFN_LANES_LOOP as its own loop file,
 * included per instruction set in place of common/lane_loop.h: a ring of past samples and a resync
 * schedule (families/windowed_stats), or a state per channel that is not a fixed count (a biquad
 * cascade, 2·(sections + 1) values: families/biquad/biquad_loop.h). It provides the same
 * `static size_t DSPFN_LANES_FN(run)(p, state, C, c0, src, dst, frames)` as lane_loop.h does for
 * SLOTS > 0, may pass anything it needs through the params struct, and writes its steps with the
 * same lane operations, so the passes, the entry point below and bit-exactness are unchanged.
 */
#ifndef DSPFN_LANES_FILE
#error "define DSPFN_LANES_STAGE, DSPFN_LANES_PARAMS, DSPFN_LANES_SLOTS and DSPFN_LANES_FILE before including common/lanes.h"
#endif

#include "common/lane_names.h"

#ifndef DSPFN_LANES_LOOP
#define DSPFN_LANES_LOOP "common/lane_loop.h"
#endif
/* A loop file of another shape that also writes the entry point itself (families/window_features:
 * block sums per channel; common/lane_no_loop.h for a stage such as stages/rls.c that writes every
 * lane function in its own pass) defines DSPFN_LANES_OWN_ENTRY; DSPFN_LANES_SLOTS is then unused. */

/* <stage>_<name>_<isa> */
#define DSPFN_LANES_FN(name) DSPFN_LANE_CAT(DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _##name##_), DSPFN_LANES_ISA)
#define DSPFN_LANE_STEP DSPFN_LANES_FN(step)


#define DSPFN_LANES_PASS 1

#define DSPFN_LANES_ISA scalar
#include DSPFN_LANES_FILE
#include DSPFN_LANES_LOOP
#undef DSPFN_LANES_ISA

#if defined(__x86_64__)
#define DSPFN_LANES_ISA sse2
#include DSPFN_LANES_FILE
#include DSPFN_LANES_LOOP
#undef DSPFN_LANES_ISA

#pragma GCC push_options
#pragma GCC target("avx2")
#define DSPFN_LANES_ISA avx2
#include DSPFN_LANES_FILE
#include DSPFN_LANES_LOOP
#undef DSPFN_LANES_ISA
#pragma GCC pop_options
#endif /* __x86_64__ */

#if defined(__aarch64__)
#define DSPFN_LANES_ISA neon
#include DSPFN_LANES_FILE
#include DSPFN_LANES_LOOP
#undef DSPFN_LANES_ISA
#endif /* __aarch64__ */

#undef DSPFN_LANES_PASS

/* The entry point: the widest path asked for first, narrower ones for the channels (or samples)
 * left over, the scalar instance last. */
#if defined(DSPFN_LANES_OWN_ENTRY)
/* the family's loop file wrote its own */
#elif DSPFN_LANES_SLOTS > 0
static void DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _lanes)(const DSPFN_LANES_PARAMS *p, double *state, uint32_t channels,
                                                      const float *src, float *dst, size_t frames, dspfn_simd simd) {
  const size_t C = channels;
  size_t c = 0;
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      c = DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_avx2)(p, state, C, c, src, dst, frames);
      __attribute__((fallthrough));
    case DSPFN_SIMD_SSE2:
      c = DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_sse2)(p, state, C, c, src, dst, frames);
      break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      c = DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_neon)(p, state, C, c, src, dst, frames);
      break;
#endif
    default:
      break;
  }
  DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_scalar)(p, state, C, c, src, dst, frames);
}
#else
static void DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _lanes)(const DSPFN_LANES_PARAMS *p, double *state, uint32_t channels,
                                                      const float *src, float *dst, size_t frames, dspfn_simd simd) {
  (void)state;
  const size_t n = frames * channels;
  size_t i = 0;
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      i = DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_avx2)(p, i, n, src, dst);
      __attribute__((fallthrough));
    case DSPFN_SIMD_SSE2:
      i = DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_sse2)(p, i, n, src, dst);
      break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      i = DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_neon)(p, i, n, src, dst);
      break;
#endif
    default:
      break;
  }
  DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _run_scalar)(p, i, n, src, dst);
}
#endif
