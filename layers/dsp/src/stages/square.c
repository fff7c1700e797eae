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

typedef struct {
  square_params p;
  uint32_t channels;
} square_state;

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

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  square_state *S = (square_state *)state;
  square_lanes(&S->p, NULL, S->channels, src, dst, frames, simd);
  out->frames = frames;
  return DSPFN_OK;
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  (void)state;
  (void)in;
  return dspfn_ew_stateless_restore("square", in_bytes, why);
}

const dspfn_stage_ops dspfn_square_ops = {
    .name = "square",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = process,
    .snapshot_bytes = dspfn_ew_stateless_bytes,
    .snapshot = dspfn_ew_stateless_snapshot,
    .restore = restore,
    .test_hook = NULL,
};

#else
/* Compiled once per instruction set: LANES consecutive samples at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const square_params *p, lane_t *s, lane_t x) {
  (void)s;
  (void)p;
  return lane_mul(x, x); /* exact in float64, rounded once by the float32 store */
}
#endif
