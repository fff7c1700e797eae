/*
 * What a window-feature stage file includes (stages/waveformLength.c is the example), after
 * defining DSPFN_LANES_STAGE, DSPFN_LANES_PARAMS, DSPFN_LANES_FILE (itself), DSPFN_WF_HISTORY (H,
 * 0..2) and DSPFN_WF_SUMS (K, 1..2). Its DSPFN_LANES_PASS part defines, on lane_t:
 *
 *   void <stage>_wf_terms_<isa>(p, x, h1, h2, i, t)   t[0..K): the terms of sample x at block
 *                                                      position i (h1, h2: the samples before it)
 *   lane_t <stage>_wf_output_<isa>(p, S, q, s, pos, n) the output of sample n at block position pos
 *                                                      from the window sums q[k] + s[k] (q: the
 *                                                      previous block's suffix at pos + 1, zeros
 *                                                      in the first block; s: the current prefix)
 *   void <stage>_wf_store_<isa>(dst, f, C, c0, y)      where frame f's output of channels c0… goes
 *
 * and gets, for its ops:
 *   <stage>_wf_process(p, S, src, dst, frames, simd)  frames through the widest path asked for
 *   <stage>_wf_derive(p, S)                           the sums from the ring, after a restore
 */
#include "families/window_features/window_features.h"

#define DSPFN_LANES_LOOP "families/window_features/loop.h"
#define DSPFN_LANES_OWN_ENTRY 1
#define DSPFN_LANES_SLOTS 0
#include "common/lanes.h"

#define DSPFN_WF_FN(name) DSPFN_LANE_CAT(DSPFN_LANES_STAGE, _##name)

static void DSPFN_WF_FN(wf_process)(const DSPFN_LANES_PARAMS *p, dspfn_wf_t *S, const float *src, void *dst, size_t frames,
                                    dspfn_simd simd) {
  size_t c = 0;
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      c = DSPFN_WF_FN(wf_run_avx2)(p, S, c, src, dst, frames);
      __attribute__((fallthrough));
    case DSPFN_SIMD_SSE2:
      c = DSPFN_WF_FN(wf_run_sse2)(p, S, c, src, dst, frames);
      break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      c = DSPFN_WF_FN(wf_run_neon)(p, S, c, src, dst, frames);
      break;
#endif
    default:
      break;
  }
  DSPFN_WF_FN(wf_run_scalar)(p, S, c, src, dst, frames);
  S->count += frames;
}

static void DSPFN_WF_FN(wf_derive)(const DSPFN_LANES_PARAMS *p, dspfn_wf_t *S) {
  memset(S->q, 0, (size_t)S->sums * ((size_t)S->window + 1) * S->channels * sizeof(double));
  for (size_t c = 0; c < S->channels; c++) DSPFN_WF_FN(wf_derive_scalar)(p, S, c);
}
