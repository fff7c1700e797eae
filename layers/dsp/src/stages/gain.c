#ifndef DSPFN_LANES_PASS
/*
 * gain({ factor }): y = f32(x · factor), the product in float64. Stateless: the lane driver runs
 * consecutive samples in its lanes, whatever their channel. No state (an empty snapshot).
 */
#include <math.h>

#include "common/stage.h"
#include "families/elementwise/elementwise.h"

typedef struct {
  double factor;
} gain_params;

#define DSPFN_LANES_STAGE gain
#define DSPFN_LANES_PARAMS gain_params
#define DSPFN_LANES_SLOTS 0
#define DSPFN_LANES_FILE "stages/gain.c"
#include "common/lanes.h"

DSPFN_EW_STATELESS_STATE(gain);

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !isfinite(params[0])) return dspfn_fail(why, DSPFN_E_ARG, "gain needs params [factor], a finite number");
  if (in_channels < 1) return dspfn_fail(why, DSPFN_E_ARG, "gain needs at least one channel");
  shape->out_channels = in_channels;
  shape->mem_bytes = sizeof(gain_state);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  gain_state *S = (gain_state *)mem;
  S->p.factor = params[0];
  S->channels = in_channels;
  return DSPFN_OK;
}

DSPFN_EW_STATELESS_OPS(gain);

#else
/* Compiled once per instruction set: LANES samples at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const gain_params *p, lane_t *s, lane_t x) {
  (void)s;
  return lane_mul(x, lane_set(p->factor));
}
#endif
