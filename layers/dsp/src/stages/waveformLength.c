#ifndef DSPFN_LANES_PASS
/*
 * waveformLength({ window }): y[n] = Σ |x[k] − x[k−1]| over the last W samples k (the key's first
 * sample adds 0), in float64 block sums (families/window_features). The C counterpart of
 * core/dsp/stages/families/window-features/term-window.kernel.ts: bit-exact on every path.
 */
#include <math.h>

#include "common/stage.h"

typedef struct {
  double unused;
} waveformLength_params;

#define DSPFN_LANES_STAGE waveformLength
#define DSPFN_LANES_PARAMS waveformLength_params
#define DSPFN_LANES_FILE "stages/waveformLength.c"
#define DSPFN_WF_HISTORY 1
#define DSPFN_WF_SUMS 1
#include "families/window_features/lanes.h"

static waveformLength_params params_of(const dspfn_wf_t *S) {
  (void)S;
  const waveformLength_params none = {0};
  return none;
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !dspfn_whole(params[0], 1, DSPFN_WF_MAX_WINDOW)) {
    return dspfn_fail(why, DSPFN_E_ARG, "waveformLength needs params [window], a whole window in 1..%u", DSPFN_WF_MAX_WINDOW);
  }
  shape->out_channels = in_channels;
  return dspfn_wf_check("waveformLength", (uint32_t)params[0], 1, in_channels, 1, 1, shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  dspfn_wf_init(mem, in_channels, (uint32_t)params[0], 1, 1);
  return DSPFN_OK;
}

DSPFN_WF_PROCESS(waveformLength)

DSPFN_WF_STAGE(waveformLength);

#else
/* t = |x − x[n−1]|; y = suffix + prefix. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_terms)(const waveformLength_params *p, lane_t x, lane_t h1, lane_t h2, double i, lane_t *t) {
  (void)p, (void)h2, (void)i;
  t[0] = lane_abs(lane_sub(x, h1));
}

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(wf_output)(const waveformLength_params *p, const dspfn_wf_t *S, const lane_t *q, const lane_t *s,
                                                  size_t pos, uint64_t n) {
  (void)p, (void)S, (void)pos, (void)n;
  return lane_add(q[0], s[0]);
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_store)(void *dst, size_t f, size_t C, size_t c0, lane_t y) {
  lane_store_f32((float *)dst + f * C + c0, y);
}
#endif
