#ifndef DSPFN_LANES_PASS
/*
 * square(): y = f32(x · x), the product of two float32 values exact in float64. Stateless (lane
 * driver, consecutive samples in lanes).
 */
#include <math.h>

#include "common/stage.h"
#include "families/elementwise/elementwise.h"

typedef struct {
  char unused;
} square_params;

#define DSPFN_LANES_STAGE square
#define DSPFN_LANES_PARAMS square_params
#define DSPFN_LANES_SLOTS 0
#define DSPFN_LANES_FILE "stages/square.c"
#include "common/lanes.h"

DSPFN_EW_STATELESS_STATE(square);

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  (void)params;
  if (n_params != 0) return dspfn_fail(why, DSPFN_E_ARG, "square takes no params");
  if (in_channels < 1) return dspfn_fail(why, DSPFN_E_ARG, "square needs at least one channel");
  shape->out_channels = in_channels;
  shape->mem_bytes = sizeof(square_state);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  (void)params;
  square_state *S = (square_state *)mem;
  memset(S, 0, sizeof *S);
  S->channels = in_channels;
  return DSPFN_OK;
}

DSPFN_EW_STATELESS_OPS(square);

#else
/* Compiled once per instruction set: LANES consecutive samples at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const square_params *p, lane_t *s, lane_t x) {
  (void)s;
  (void)p;
  return lane_mul(x, x); /* exact in float64, rounded once by the float32 store */
}
#endif
