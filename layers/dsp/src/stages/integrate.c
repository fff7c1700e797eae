#ifndef DSPFN_LANES_PASS
/*
 * integrate({ alpha }): y[n] = alpha·y[n−1] + x[n] per channel in float64, y[−1] = 0; output f32(y).
 * State: y per channel (families/elementwise: u32 channels · u32 0 · f64 y per channel). The C
 * counterpart of core/dsp/stages/integrate/integrate.kernel.ts: bit-exact on every path (lane driver).
 */
#include <math.h>

#include "common/stage.h"
#include "families/elementwise/elementwise.h"

typedef struct {
  double alpha;
} integrate_params;

#define DSPFN_LANES_STAGE integrate
#define DSPFN_LANES_PARAMS integrate_params
#define DSPFN_LANES_SLOTS 1
#define DSPFN_LANES_FILE "stages/integrate.c"
#include "common/lanes.h"

typedef struct {
  dspfn_ew_channels ch; /* the lane state: one slot, value[c] */
  integrate_params p;
} integrate_state;

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !(params[0] > 0 && params[0] <= 1)) return dspfn_fail(why, DSPFN_E_ARG, "integrate needs params [alpha], 0 < alpha <= 1");
  return dspfn_ew_check_channels("integrate", in_channels, sizeof(integrate_state), shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  (void)params;
  integrate_state *S = (integrate_state *)mem;
  dspfn_ew_init_channels(mem, sizeof(integrate_state), &S->ch, in_channels);
  S->p.alpha = params[0];
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  integrate_state *S = (integrate_state *)state;
  integrate_lanes(&S->p, S->ch.value, S->ch.channels, src, dst, frames, simd);
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) { return dspfn_ew_channels_bytes(&((const integrate_state *)state)->ch); }

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  return dspfn_ew_channels_snapshot(&((const integrate_state *)state)->ch, out, out_bytes);
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  return dspfn_ew_channels_restore("integrate", &((integrate_state *)state)->ch, in, in_bytes, why);
}

const dspfn_stage_ops dspfn_integrate_ops = {
    .name = "integrate",
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
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const integrate_params *p, lane_t *s, lane_t x) {
  s[0] = lane_add(lane_mul(lane_set(p->alpha), s[0]), x);
  return s[0];
}
#endif
