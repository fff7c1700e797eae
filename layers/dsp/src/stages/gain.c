#ifndef DSPFN_LANES_PASS
/*
 * gain({ factor }): y = f32(x · factor), the product in float64. Stateless: the lane driver runs
 * consecutive samples in its lanes, whatever their channel. No state (an empty snapshot).
 */
#include <math.h>

#include "common/stage.h"

typedef struct {
  double factor;
} gain_params;

#define DSPFN_LANES_STAGE gain
#define DSPFN_LANES_PARAMS gain_params
#define DSPFN_LANES_SLOTS 0
#define DSPFN_LANES_FILE "stages/gain.c"
#include "common/lanes.h"

typedef struct {
  gain_params p;
  uint32_t channels;
} gain_state;

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

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  gain_state *S = (gain_state *)state;
  gain_lanes(&S->p, NULL, S->channels, src, dst, frames, simd);
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) {
  (void)state;
  return 0;
}

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  (void)state;
  (void)out;
  return out_bytes == 0 ? DSPFN_OK : DSPFN_E_STATE_SIZE;
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  (void)state;
  (void)in;
  return in_bytes == 0 ? DSPFN_OK : dspfn_fail(why, DSPFN_E_STATE_SIZE, "gain has no state, got %zu bytes", in_bytes);
}

const dspfn_stage_ops dspfn_gain_ops = {
    .name = "gain",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = process,
    .snapshot_bytes = snapshot_bytes,
    .snapshot = snapshot,
    .restore = restore,
    .test_hook = NULL,
};

#else
/* Compiled once per instruction set: LANES samples at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const gain_params *p, lane_t *s, lane_t x) {
  (void)s;
  return lane_mul(x, lane_set(p->factor));
}
#endif
