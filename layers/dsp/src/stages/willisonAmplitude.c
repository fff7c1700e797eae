#ifndef DSPFN_LANES_PASS
/*
 * willisonAmplitude({ window, threshold }): y[n] = how many of the last W samples k (not the key's
 * first) have |x[k] − x[k−1]| >= threshold, as float64 block sums of 0/1 terms (exact counts;
 * families/window_features). The C counterpart of
 * core/dsp/stages/families/window-features/term-window.kernel.ts: bit-exact on every path.
 */
#include "common/stage.h"

typedef struct {
  double threshold;
} willisonAmplitude_params;

#define DSPFN_LANES_STAGE willisonAmplitude
#define DSPFN_LANES_PARAMS willisonAmplitude_params
#define DSPFN_LANES_FILE "stages/willisonAmplitude.c"
#define DSPFN_WF_HISTORY 1
#define DSPFN_WF_SUMS 1
#include "families/window_features/lanes.h"

DSPFN_WF_THRESHOLD_COUNT(willisonAmplitude, DSPFN_WF_HISTORY)

DSPFN_WF_PROCESS(willisonAmplitude)

DSPFN_WF_STAGE(willisonAmplitude);

#else
/* t = |x − x[n−1]| >= threshold ? 1 : 0; y = suffix + prefix. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_terms)(const willisonAmplitude_params *p, lane_t x, lane_t h1, lane_t h2, double i, lane_t *t) {
  (void)h2, (void)i;
  t[0] = lane_select(lane_ge(lane_abs(lane_sub(x, h1)), lane_set(p->threshold)), lane_set(1.0), lane_zero());
}

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(wf_output)(const willisonAmplitude_params *p, const dspfn_wf_t *S, const lane_t *q, const lane_t *s,
                                                  size_t pos, uint64_t n) {
  (void)p, (void)S, (void)pos, (void)n;
  return lane_add(q[0], s[0]);
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_store)(void *dst, size_t f, size_t C, size_t c0, lane_t y) {
  lane_store_f32((float *)dst + f * C + c0, y);
}
#endif
