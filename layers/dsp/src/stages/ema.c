#ifndef DSPFN_LANES_PASS
/*
 * ema({ alpha }): y[n] = y[n-1] + alpha·(x[n] − y[n-1]) per channel in float64, y[0] = x[0] (the
 * key's first sample); output f32(y). The C counterpart of core/dsp/stages/ema/ema.kernel.ts, in
 * the same operations: bit-exact on every path (the lane driver, common/lanes.h).
 *
 * State bytes, as EmaKernel.snapshot(): u32 channels · u32 0 · f64 count (frames seen) ·
 * f64 y[channels].
 */
#include "common/stage.h"

typedef struct {
  double alpha;
} ema_params;

#define DSPFN_LANES_STAGE ema
#define DSPFN_LANES_PARAMS ema_params
#define DSPFN_LANES_SLOTS 1
#define DSPFN_LANES_FILE "stages/ema.c"
#include "common/lanes.h"

#define EMA_MAX_CHANNELS 4096u

typedef struct {
  ema_params p;
  uint32_t channels;
  double count;
  double *y; /* the lane state: one slot, y[c] */
} ema_state;

#define EMA_HEADER ((sizeof(ema_state) + 63) & ~(size_t)63)

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !(params[0] > 0 && params[0] <= 1)) return dspfn_fail(why, DSPFN_E_ARG, "ema needs params [alpha], 0 < alpha <= 1");
  if (in_channels < 1 || in_channels > EMA_MAX_CHANNELS) return dspfn_fail(why, DSPFN_E_ARG, "ema takes 1..%u channels", EMA_MAX_CHANNELS);
  shape->out_channels = in_channels;
  shape->mem_bytes = EMA_HEADER + (size_t)in_channels * sizeof(double);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  ema_state *S = (ema_state *)mem;
  memset(mem, 0, EMA_HEADER + (size_t)in_channels * sizeof(double));
  S->p.alpha = params[0];
  S->channels = in_channels;
  S->count = 0;
  S->y = (double *)((unsigned char *)mem + EMA_HEADER);
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  ema_state *S = (ema_state *)state;
  const uint32_t C = S->channels;
  size_t first = 0;
  if (S->count == 0 && frames > 0) { /* the key's first sample starts y */
    for (uint32_t c = 0; c < C; c++) {
      S->y[c] = (double)src[c];
      dst[c] = src[c];
    }
    first = 1;
  }
  ema_lanes(&S->p, S->y, C, src + first * C, dst + first * C, frames - first, simd);
  S->count += (double)frames;
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) { return 16 + 8 * (size_t)((const ema_state *)state)->channels; }

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const ema_state *S = (const ema_state *)state;
  if (out_bytes != snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), 0), S->count);
  for (uint32_t c = 0; c < S->channels; c++) p = dspfn_put_f64(p, S->y[c]);
  return DSPFN_OK;
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  ema_state *S = (ema_state *)state;
  const size_t expected = snapshot_bytes(S);
  if (in_bytes < 4) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "ema state has %zu bytes, expected %zu", in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in);
  if (channels != S->channels) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "ema state is for %u channel(s), stage has %u", channels, S->channels);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "ema state has %zu bytes, expected %zu", in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "ema state holds a sample count that is not a whole number >= 0");
  S->count = count;
  for (uint32_t c = 0; c < channels; c++) S->y[c] = dspfn_get_f64(in + 16 + 8 * (size_t)c);
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_ema_ops = {
    .name = "ema",
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
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const ema_params *p, lane_t *s, lane_t x) {
  s[0] = lane_add(s[0], lane_mul(lane_set(p->alpha), lane_sub(x, s[0])));
  return s[0];
}
#endif
