#ifndef DSPFN_LANES_PASS
/*
 * slopeSignChange({ window, threshold }): y[n] = how many of the last W samples k (k >= 2) have
 * (x[k−1] − x[k−2])·(x[k−1] − x[k]) >= threshold: a turning point at k−1, counted when its next
 * sample k arrives. Float64 block sums of 0/1 terms (exact counts; families/window_features). The C
 * counterpart of core/dsp/stages/families/window-features/term-window.kernel.ts: bit-exact on
 * every path.
 */
#include <math.h>

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

static slopeSignChange_params params_of(const dspfn_wf_t *S) {
  const slopeSignChange_params p = {S->param};
  return p;
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 2 || !dspfn_whole(params[0], 1, DSPFN_WF_MAX_WINDOW) || !(params[1] >= 0 && isfinite(params[1]))) {
    return dspfn_fail(why, DSPFN_E_ARG, "slopeSignChange needs params [window, threshold]: a whole window in 1..%u, a finite threshold >= 0", DSPFN_WF_MAX_WINDOW);
  }
  shape->out_channels = in_channels;
  return dspfn_wf_check("slopeSignChange", (uint32_t)params[0], 1, in_channels, 2, 1, shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  dspfn_wf_init(mem, in_channels, (uint32_t)params[0], 2, 1);
  ((dspfn_wf_t *)mem)->param = params[1];
  return DSPFN_OK;
}

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
