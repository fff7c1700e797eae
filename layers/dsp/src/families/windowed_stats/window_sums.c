#ifndef DSPFN_LANES_PASS
/*
 * variance, stddev, zScore and meanAbsolute: state, ops and snapshots (windowed_stats.h). The
 * loops are in sums_loop.h, instantiated per instruction set by the lane driver.
 *
 * State bytes, as WindowSumsKernel.snapshot(): u32 channels · u32 window · f64 count · the running
 * values, value-major (K[channels], S1[channels], S2[channels]; meanAbsolute S[channels]; direct
 * moments none) · f32 ring[window × channels], frame-major. The memory block holds the values and
 * the ring in that same order, so snapshots copy them.
 */
#include <math.h>

#include "families/windowed_stats/windowed_stats.h"

typedef struct {
  float *ring;
  uint64_t count; /* frames seen before the call */
  uint64_t resync;
  double epsilon;
  uint32_t window;
  int stat;
  int exclude;
  int direct;
} ws_params;

#define DSPFN_LANES_STAGE ws
#define DSPFN_LANES_PARAMS ws_params
#define DSPFN_LANES_SLOTS 3
#define DSPFN_LANES_FILE "families/windowed_stats/window_sums.c"
#define DSPFN_LANES_LOOP "families/windowed_stats/sums_loop.h"
#include "common/lanes.h"

static const char *const ws_names[] = {"variance", "stddev", "zScore", "meanAbsolute"};

typedef struct {
  ws_params p;
  uint32_t channels;
  uint32_t n_values; /* running values per channel */
  double *values;    /* n_values × channels, value-major */
} ws_state;

#define WS_HEADER ((sizeof(ws_state) + 63) & ~(size_t)63)

static uint32_t values_per_channel(int stat, uint32_t window) {
  if (stat == DSPFN_WS_MEAN_ABSOLUTE) return 1;
  return window <= DSPFN_WS_DIRECT_MAX ? 0 : 3;
}

static size_t ws_mem_bytes(uint32_t channels, uint32_t window, int stat) {
  return WS_HEADER + (size_t)values_per_channel(stat, window) * channels * sizeof(double) + (size_t)window * channels * sizeof(float);
}

int dspfn_ws_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why, int stat) {
  const char *name = ws_names[stat];
  if (stat == DSPFN_WS_ZSCORE) {
    if (n_params != 3 || !dspfn_ws_valid_shape(params[0], in_channels) || !(params[1] == 0 || params[1] == 1) ||
        !(params[2] > 0 && isfinite(params[2]))) {
      return dspfn_fail(why, DSPFN_E_ARG, "zScore needs params [window, excludeCurrent, epsilon]: a whole window in 1..%u, 0 or 1, epsilon > 0, and 1..%u channels",
                        DSPFN_WS_MAX_WINDOW, DSPFN_WS_MAX_CHANNELS);
    }
  } else if (n_params != 1 || !dspfn_ws_valid_shape(params[0], in_channels)) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs a whole window in 1..%u and 1..%u channels", name, DSPFN_WS_MAX_WINDOW, DSPFN_WS_MAX_CHANNELS);
  }
  shape->out_channels = in_channels;
  shape->mem_bytes = ws_mem_bytes(in_channels, (uint32_t)params[0], stat);
  return DSPFN_OK;
}

int dspfn_ws_init(void *mem, const double *params, size_t n_params, uint32_t in_channels, int stat) {
  const uint32_t window = (uint32_t)params[0];
  memset(mem, 0, ws_mem_bytes(in_channels, window, stat));
  ws_state *S = (ws_state *)mem;
  S->channels = in_channels;
  S->n_values = values_per_channel(stat, window);
  S->values = (double *)((unsigned char *)mem + WS_HEADER);
  S->p.ring = (float *)(S->values + (size_t)S->n_values * in_channels);
  S->p.count = 0;
  S->p.resync = window > DSPFN_WS_RESYNC_MIN ? window : DSPFN_WS_RESYNC_MIN;
  S->p.window = window;
  S->p.stat = stat;
  S->p.direct = stat != DSPFN_WS_MEAN_ABSOLUTE && window <= DSPFN_WS_DIRECT_MAX;
  S->p.exclude = stat == DSPFN_WS_ZSCORE && n_params == 3 && params[1] == 1;
  S->p.epsilon = stat == DSPFN_WS_ZSCORE && n_params == 3 ? params[2] : 1e-12;
  return DSPFN_OK;
}

int dspfn_ws_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  ws_state *S = (ws_state *)state;
  out->frames = frames;
  if (frames == 0) return DSPFN_OK;
  /* The key's first sample is the first shift of the running moments. */
  if (S->n_values == 3 && S->p.count == 0) {
    for (uint32_t c = 0; c < S->channels; c++) S->values[c] = (double)src[c];
  }
  ws_lanes(&S->p, S->values, S->channels, src, dst, frames, simd);
  S->p.count += frames;
  return DSPFN_OK;
}

size_t dspfn_ws_snapshot_bytes(const void *state) {
  const ws_state *S = (const ws_state *)state;
  return 16 + (size_t)S->channels * (8 * (size_t)S->n_values + 4 * (size_t)S->p.window);
}

int dspfn_ws_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const ws_state *S = (const ws_state *)state;
  if (out_bytes != dspfn_ws_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), S->p.window), (double)S->p.count);
  const size_t n_values = (size_t)S->n_values * S->channels;
  memcpy(p, S->values, 8 * n_values);
  memcpy(p + 8 * n_values, S->p.ring, 4 * (size_t)S->p.window * S->channels);
  return DSPFN_OK;
}

int dspfn_ws_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  ws_state *S = (ws_state *)state;
  const char *name = ws_names[S->p.stat];
  const size_t expected = dspfn_ws_snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in), window = dspfn_get_u32(in + 4);
  /* The TypeScript kernel's words, so both backends report a foreign state alike. */
  if (channels != S->channels || window != S->p.window) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u channel(s) \xc3\x97 window %u, stage has %u \xc3\x97 %u", name, channels, window,
                      S->channels, S->p.window);
  }
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state holds a sample count that is not a whole number >= 0", name);
  S->p.count = (uint64_t)count;
  const size_t n_values = (size_t)S->n_values * S->channels;
  memcpy(S->values, in + 16, 8 * n_values);
  memcpy(S->p.ring, in + 16 + 8 * n_values, 4 * (size_t)window * channels);
  return DSPFN_OK;
}

#endif /* DSPFN_LANES_PASS: the loops come from sums_loop.h */
