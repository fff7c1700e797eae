#ifndef DSPFN_LANES_PASS
/*
 * clip({ min, max }): y = min(max(x, min), max) as C compares (NaN stays NaN); the bounds are
 * float64, the output rounded to float32. Stateless (lane driver, consecutive samples in lanes).
 */
#include <math.h>

#include "common/stage.h"
#include "families/elementwise/elementwise.h"

typedef struct {
  double lo, hi;
} clip_params;

#define DSPFN_LANES_STAGE clip
#define DSPFN_LANES_PARAMS clip_params
#define DSPFN_LANES_SLOTS 0
#define DSPFN_LANES_FILE "stages/clip.c"
#include "common/lanes.h"

DSPFN_EW_STATELESS_STATE(clip);

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 2 || !isfinite(params[0]) || !isfinite(params[1]) || !(params[0] <= params[1])) {
    return dspfn_fail(why, DSPFN_E_ARG, "clip needs params [min, max], finite numbers with min <= max");
  }
  if (in_channels < 1) return dspfn_fail(why, DSPFN_E_ARG, "clip needs at least one channel");
  shape->out_channels = in_channels;
  shape->mem_bytes = sizeof(clip_state);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  (void)params;
  clip_state *S = (clip_state *)mem;
  memset(S, 0, sizeof *S);
  S->p.lo = params[0];
  S->p.hi = params[1];
  S->channels = in_channels;
  return DSPFN_OK;
}

DSPFN_EW_STATELESS_OPS(clip);

#else
/* Compiled once per instruction set: LANES consecutive samples at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const clip_params *p, lane_t *s, lane_t x) {
  (void)s;
  /* v = lo > x ? lo : x; y = hi < v ? hi : v (the C expressions: NaN stays NaN), as ClipKernel. */
  return lane_min(lane_set(p->hi), lane_max(lane_set(p->lo), x));
}
#endif
