#ifndef DSPFN_LANES_PASS
/*
 * cumulativeAverage(): y[n] = (x[0] + … + x[n]) / (n + 1) per channel, the sum compensated (TwoSum:
 * hi the float64 running sum, lo the sum of its rounding errors), y = f32((hi + lo) / n). The C
 * counterpart of core/dsp/stages/cumulativeAverage/cumulativeAverage.kernel.ts, in the same
 * operations: bit-exact on every path (the lane driver, common/lanes.h).
 *
 * State bytes, as CumulativeAverageKernel.snapshot(): u32 channels · u32 0 · f64 count ·
 * f64 hi[channels] · f64 lo[channels]. The lanes also carry n (the count) per channel, which the
 * snapshot stores once.
 */
#include "common/stage.h"

typedef struct {
  int unused;
} ca_params;

#define DSPFN_LANES_STAGE ca
#define DSPFN_LANES_PARAMS ca_params
#define DSPFN_LANES_SLOTS 3
#define DSPFN_LANES_FILE "stages/cumulativeAverage.c"
#include "common/lanes.h"

#define CA_MAX_CHANNELS 4096u

typedef struct {
  ca_params p;
  uint32_t channels;
  double count;
  double *lanes; /* hi[channels], lo[channels], n[channels] */
} ca_state;

#define CA_HEADER ((sizeof(ca_state) + 63) & ~(size_t)63)

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  (void)params;
  if (n_params != 0) return dspfn_fail(why, DSPFN_E_ARG, "cumulativeAverage takes no params");
  if (in_channels < 1 || in_channels > CA_MAX_CHANNELS) return dspfn_fail(why, DSPFN_E_ARG, "cumulativeAverage takes 1..%u channels", CA_MAX_CHANNELS);
  shape->out_channels = in_channels;
  shape->mem_bytes = CA_HEADER + 3 * (size_t)in_channels * sizeof(double);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)params;
  (void)n_params;
  memset(mem, 0, CA_HEADER + 3 * (size_t)in_channels * sizeof(double));
  ca_state *S = (ca_state *)mem;
  S->channels = in_channels;
  S->count = 0;
  S->lanes = (double *)((unsigned char *)mem + CA_HEADER);
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  ca_state *S = (ca_state *)state;
  ca_lanes(&S->p, S->lanes, S->channels, src, dst, frames, simd);
  S->count += (double)frames;
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) { return 16 + 16 * (size_t)((const ca_state *)state)->channels; }

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const ca_state *S = (const ca_state *)state;
  if (out_bytes != snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), 0), S->count);
  memcpy(p, S->lanes, 16 * (size_t)S->channels);
  return DSPFN_OK;
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  ca_state *S = (ca_state *)state;
  const size_t expected = snapshot_bytes(S);
  if (in_bytes < 4) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "cumulativeAverage state has %zu bytes, expected %zu", in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in);
  if (channels != S->channels) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "cumulativeAverage state is for %u channel(s), stage has %u", channels, S->channels);
  }
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "cumulativeAverage state has %zu bytes, expected %zu", in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) {
    return dspfn_fail(why, DSPFN_E_STATE_VALUE, "cumulativeAverage state holds a sample count that is not a whole number >= 0");
  }
  S->count = count;
  memcpy(S->lanes, in + 16, 16 * (size_t)channels);
  for (uint32_t c = 0; c < channels; c++) S->lanes[2 * (size_t)channels + c] = count;
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_cumulativeAverage_ops = {
    .name = "cumulativeAverage",
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
/* TwoSum into (hi, lo), then the mean: LANES channels at a time. */
DSPFN_LANE_INLINE lane_t DSPFN_LANE_STEP(const ca_params *p, lane_t *s, lane_t x) {
  (void)p;
  const lane_t hi = s[0];
  const lane_t sum = lane_add(hi, x);
  const lane_t t = lane_sub(sum, hi);
  s[1] = lane_add(s[1], lane_add(lane_sub(hi, lane_sub(sum, t)), lane_sub(x, t)));
  s[0] = sum;
  s[2] = lane_add(s[2], lane_set(1.0));
  return lane_div(lane_add(s[0], s[1]), s[2]);
}
#endif
