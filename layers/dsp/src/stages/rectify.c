#ifndef DSPFN_LANES_PASS
/*
 * rectify({ mode }): full y = |x|, half y = x < 0 ? 0 : x. Stateless (lane driver, consecutive
 * samples in lanes); exact: the output is an input value or 0.
 */
#include <math.h>

#include "common/stage.h"
#include "families/elementwise/elementwise.h"

typedef struct {
  int half; /* mode: 0 full, 1 half */
} rectify_params;

#define DSPFN_LANES_STAGE rectify
#define DSPFN_LANES_PARAMS rectify_params
#define DSPFN_LANES_SLOTS 0
#define DSPFN_LANES_FILE "stages/rectify.c"
#include "common/lanes.h"

DSPFN_EW_STATELESS_STATE(rectify);

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !(params[0] == 0 || params[0] == 1)) return dspfn_fail(why, DSPFN_E_ARG, "rectify needs params [mode], 0 (full) or 1 (half)");
  if (in_channels < 1) return dspfn_fail(why, DSPFN_E_ARG, "rectify needs at least one channel");
  shape->out_channels = in_channels;
  shape->mem_bytes = sizeof(rectify_state);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  (void)params;
  rectify_state *S = (rectify_state *)mem;
  memset(S, 0, sizeof *S);
  S->p.half = params[0] == 1;
  S->channels = in_channels;
  return DSPFN_OK;
}

DSPFN_EW_STATELESS_OPS(rectify);

#else
/* Compiled once per instruction set: LANES consecutive samples at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const rectify_params *p, lane_t *s, lane_t x) {
  (void)s;
  if (p->half) return lane_select(lane_lt(x, lane_zero()), lane_zero(), x); /* x < 0 ? 0 : x: NaN stays NaN */
  return lane_abs(x);
}
#endif
