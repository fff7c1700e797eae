#ifndef DSPFN_LANES_PASS
/*
 * kalman({ processNoise, measurementNoise, initialError }): a scalar Kalman filter per channel for a
 * random-walk level, in float64: P = P + q; K = P/(P + r); x = x + K·(z − x); P = P·(1 − K);
 * output f32(x). The key's first sample sets x = z, P = initialError and is output as it is. The C
 * counterpart of core/dsp/stages/kalman/kalman.kernel.ts, in the same operations: bit-exact on
 * every path (the lane driver, common/lanes.h).
 *
 * State bytes, as KalmanKernel.snapshot(): u32 channels · u32 0 · f64 count (frames seen) ·
 * f64 x[channels] · f64 P[channels].
 */
#include <math.h>

#include "common/stage.h"

typedef struct {
  double q, r;
} kalman_params;

#define DSPFN_LANES_STAGE kalman
#define DSPFN_LANES_PARAMS kalman_params
#define DSPFN_LANES_SLOTS 2
#define DSPFN_LANES_FILE "stages/kalman.c"
#include "common/lanes.h"

#define KALMAN_MAX_CHANNELS 4096u

typedef struct {
  kalman_params p;
  double initial_error;
  uint32_t channels;
  double count;
  double *s; /* the lane state, slot-major: x[c] = s[c], P[c] = s[channels + c] */
} kalman_state;

#define KALMAN_HEADER ((sizeof(kalman_state) + 63) & ~(size_t)63)

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 3 || !(params[0] >= 0 && isfinite(params[0])) || !(params[1] > 0 && isfinite(params[1])) ||
      !(params[2] >= 0 && isfinite(params[2]))) {
    return dspfn_fail(why, DSPFN_E_ARG,
                      "kalman needs params [processNoise, measurementNoise, initialError]: finite, processNoise >= 0, "
                      "measurementNoise > 0, initialError >= 0");
  }
  if (in_channels < 1 || in_channels > KALMAN_MAX_CHANNELS) return dspfn_fail(why, DSPFN_E_ARG, "kalman takes 1..%u channels", KALMAN_MAX_CHANNELS);
  shape->out_channels = in_channels;
  shape->mem_bytes = KALMAN_HEADER + 2 * (size_t)in_channels * sizeof(double);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  kalman_state *S = (kalman_state *)mem;
  memset(mem, 0, KALMAN_HEADER + 2 * (size_t)in_channels * sizeof(double));
  S->p.q = params[0];
  S->p.r = params[1];
  S->initial_error = params[2];
  S->channels = in_channels;
  S->count = 0;
  S->s = (double *)((unsigned char *)mem + KALMAN_HEADER);
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  kalman_state *S = (kalman_state *)state;
  const uint32_t C = S->channels;
  size_t first = 0;
  if (S->count == 0 && frames > 0) { /* the key's first sample starts the filter */
    for (uint32_t c = 0; c < C; c++) {
      S->s[c] = (double)src[c];
      S->s[C + c] = S->initial_error;
      dst[c] = src[c];
    }
    first = 1;
  }
  kalman_lanes(&S->p, S->s, C, src + first * C, dst + first * C, frames - first, simd);
  S->count += (double)frames;
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) { return 16 + 16 * (size_t)((const kalman_state *)state)->channels; }

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const kalman_state *S = (const kalman_state *)state;
  if (out_bytes != snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), 0), S->count);
  for (uint32_t k = 0; k < 2 * S->channels; k++) p = dspfn_put_f64(p, S->s[k]);
  return DSPFN_OK;
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  kalman_state *S = (kalman_state *)state;
  const size_t expected = snapshot_bytes(S);
  if (in_bytes < 4) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "kalman state has %zu bytes, expected %zu", in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in);
  if (channels != S->channels) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "kalman state is for %u channel(s), stage has %u", channels, S->channels);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "kalman state has %zu bytes, expected %zu", in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "kalman state holds a sample count that is not a whole number >= 0");
  const uint8_t *ps = in + 16 + 8 * (size_t)channels;
  for (uint32_t c = 0; c < channels; c++) {
    const double p = dspfn_get_f64(ps + 8 * (size_t)c);
    if (!(p >= 0 && p < INFINITY)) {
      return dspfn_fail(why, DSPFN_E_STATE_VALUE, "kalman state holds an error variance P that is not a finite number >= 0");
    }
  }
  S->count = count;
  for (uint32_t k = 0; k < 2 * channels; k++) S->s[k] = dspfn_get_f64(in + 16 + 8 * (size_t)k);
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_kalman_ops = {
    .name = "kalman",
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
/* The recurrence, compiled once per instruction set: LANES channels at a time (s[0] = x, s[1] = P). */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const kalman_params *p, lane_t *s, lane_t z) {
  const lane_t prior = lane_add(s[1], lane_set(p->q));
  const lane_t k = lane_div(prior, lane_add(prior, lane_set(p->r)));
  s[0] = lane_add(s[0], lane_mul(k, lane_sub(z, s[0])));
  s[1] = lane_mul(prior, lane_sub(lane_set(1.0), k));
  return s[0];
}
#endif
