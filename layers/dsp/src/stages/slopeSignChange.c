#ifndef DSPFN_LANES_PASS
/*
 * slopeSignChange({ window, threshold }): y[n] = how many of the last W samples k (k >= 2) have
 * (x[k−1] − x[k−2])·(x[k−1] − x[k]) >= threshold: a turning point at k−1, counted when its next
 * sample k arrives. Float64 block sums of 0/1 terms (exact counts; families/window_features). The C
 * counterpart of core/dsp/stages/families/window-features/term-window.kernel.ts: bit-exact on
 * every path.
 */
#include "common/stage.h"

typedef struct {
  double threshold;
} slopeSignChange_params;

#define DSPFN_LANES_STAGE slopeSignChange
#define DSPFN_LANES_PARAMS slopeSignChange_params
#define DSPFN_LANES_FILE "stages/slopeSignChange.c"
#define DSPFN_WF_HISTORY 2
#define DSPFN_WF_SUMS 1
#include "families/window_features/lanes.h"

DSPFN_WF_THRESHOLD_COUNT(slopeSignChange, DSPFN_WF_HISTORY)

DSPFN_WF_PROCESS(slopeSignChange)

DSPFN_WF_STAGE(slopeSignChange);

#else
/* t = (x[n−1] − x[n−2])·(x[n−1] − x) >= threshold ? 1 : 0; y = suffix + prefix. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_terms)(const slopeSignChange_params *p, lane_t x, lane_t h1, lane_t h2, double i, lane_t *t) {
  (void)i;
  const lane_t turn = lane_mul(lane_sub(h1, h2), lane_sub(h1, x));
  t[0] = lane_select(lane_ge(turn, lane_set(p->threshold)), lane_set(1.0), lane_zero());
}

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(wf_output)(const slopeSignChange_params *p, const dspfn_wf_t *S, const lane_t *q, const lane_t *s,
                                                  size_t pos, uint64_t n) {
  (void)p, (void)S, (void)pos, (void)n;
  return lane_add(q[0], s[0]);
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_store)(void *dst, size_t f, size_t C, size_t c0, lane_t y) {
  lane_store_f32((float *)dst + f * C + c0, y);
}
#endif
