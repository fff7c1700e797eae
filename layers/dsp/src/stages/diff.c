#ifndef DSPFN_LANES_PASS
/*
 * diff(): y[n] = f32(x[n] − x[n−1]) per channel, x[−1] = 0, in float64. State: the previous sample
 * per channel (families/elementwise: u32 channels · u32 0 · f64 previous per channel). The C
 * counterpart of core/dsp/stages/diff/diff.kernel.ts: bit-exact on every path (lane driver).
 */
#include <math.h>

#include "common/stage.h"
#include "families/elementwise/elementwise.h"

typedef struct {
  char unused;
} diff_params;

#define DSPFN_LANES_STAGE diff
#define DSPFN_LANES_PARAMS diff_params
#define DSPFN_LANES_SLOTS 1
#define DSPFN_LANES_FILE "stages/diff.c"
#include "common/lanes.h"

typedef struct {
  dspfn_ew_channels ch; /* the lane state: one slot, value[c] */
  diff_params p;
} diff_state;

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  (void)params;
  if (n_params != 0) return dspfn_fail(why, DSPFN_E_ARG, "diff takes no params");
  return dspfn_ew_check_channels("diff", in_channels, sizeof(diff_state), shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  (void)params;
  diff_state *S = (diff_state *)mem;
  dspfn_ew_init_channels(mem, sizeof(diff_state), &S->ch, in_channels);
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  diff_state *S = (diff_state *)state;
  diff_lanes(&S->p, S->ch.value, S->ch.channels, src, dst, frames, simd);
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) { return dspfn_ew_channels_bytes(&((const diff_state *)state)->ch); }

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  return dspfn_ew_channels_snapshot(&((const diff_state *)state)->ch, out, out_bytes);
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  return dspfn_ew_channels_restore("diff", &((diff_state *)state)->ch, in, in_bytes, why);
}

const dspfn_stage_ops dspfn_diff_ops = {
    .name = "diff",
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
/* The recurrence, compiled once per instruction set: LANES channels at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const diff_params *p, lane_t *s, lane_t x) {
  (void)p;
  const lane_t y = lane_sub(x, s[0]);
  s[0] = x;
  return y;
}
#endif
