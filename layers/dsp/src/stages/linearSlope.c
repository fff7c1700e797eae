#ifndef DSPFN_LANES_PASS
/*
 * linearSlope({ window }): the least-squares slope per sample of the last m = min(n + 1, W)
 * samples, from the block sums Σx and Σi·x (families/window_features; i the position in the
 * block). The C counterpart of core/dsp/stages/linearSlope/linearSlope.kernel.ts, which derives
 * the formulas: bit-exact on every path.
 */
#include "common/stage.h"

typedef struct {
  double half; /* (W − 1)/2 */
  double full; /* D(W) = W(W² − 1)/12 */
} linearSlope_params;

#define DSPFN_LANES_STAGE linearSlope
#define DSPFN_LANES_PARAMS linearSlope_params
#define DSPFN_LANES_FILE "stages/linearSlope.c"
#define DSPFN_WF_HISTORY 0
#define DSPFN_WF_SUMS 2
#include "families/window_features/lanes.h"

static linearSlope_params params_of(const dspfn_wf_t *S) {
  const double W = S->window;
  const linearSlope_params p = {(W - 1) * 0.5, (W * (W * W - 1)) / 12};
  return p;
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !dspfn_whole(params[0], 2, DSPFN_WF_MAX_WINDOW)) {
    return dspfn_fail(why, DSPFN_E_ARG, "linearSlope needs params [window], a whole window in 2..%u", DSPFN_WF_MAX_WINDOW);
  }
  shape->out_channels = in_channels;
  return dspfn_wf_check("linearSlope", (uint32_t)params[0], 2, in_channels, 0, 2, shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  dspfn_wf_init(mem, in_channels, (uint32_t)params[0], 0, 2);
  return DSPFN_OK;
}

DSPFN_WF_PROCESS(linearSlope)

DSPFN_WF_STAGE(linearSlope);

#else
/* t0 = x, t1 = i·x (exact: i < 2^20, x float32). */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_terms)(const linearSlope_params *p, lane_t x, lane_t h1, lane_t h2, double i, lane_t *t) {
  (void)p, (void)h1, (void)h2;
  t[0] = x;
  t[1] = lane_mul(lane_set(i), x);
}

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(wf_output)(const linearSlope_params *p, const dspfn_wf_t *S, const lane_t *q, const lane_t *s,
                                                  size_t pos, uint64_t n) {
  if (n < S->window) { /* the first block: the window is the block so far, m = pos + 1 */
    if (pos == 0) return lane_zero();
    const double m = (double)pos + 1;
    const double den = (m * (m * m - 1)) / 12;
    return lane_div(lane_sub(s[1], lane_mul(lane_set((double)pos * 0.5), s[0])), lane_set(den));
  }
  /* (Q1[j] − (j + h)·Q0[j]) + (P1 + (h − pos)·P0), j = pos + 1 */
  const lane_t older = lane_sub(q[1], lane_mul(lane_set((double)pos + 1 + p->half), q[0]));
  const lane_t newer = lane_add(s[1], lane_mul(lane_set(p->half - (double)pos), s[0]));
  return lane_div(lane_add(older, newer), lane_set(p->full));
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_store)(void *dst, size_t f, size_t C, size_t c0, lane_t y) {
  lane_store_f32((float *)dst + f * C + c0, y);
}
#endif
