#ifndef DSPFN_LANES_PASS
/*
 * The windowed statistics: state, ops, snapshots and the rebuild on restore (windowed_stats.h).
 * The loops are in windowed_stats_loop.h, instantiated per instruction set by the lane driver.
 *
 * State bytes, as BlockWindowKernel.snapshot(): u32 channels · u32 window · f64 count · f32
 * ring[window × channels], frame-major. The memory block: this struct, the prefix values (lane
 * state, value-major: moments Kb, S1, S2; meanAbsolute P; min/max pre), the suffix arrays (moments
 * T1, T2; meanAbsolute U: f64; min/max: f32), all frame-major, and the ring.
 */
#include <math.h>

#include "families/windowed_stats/windowed_stats.h"

typedef struct {
  float *ring;
  double *suffix1;  /* T1 (moments), U (meanAbsolute) */
  double *suffix2;  /* T2 (moments) */
  float *extremes;  /* suf (min, max) */
  uint64_t count;   /* frames seen before the call */
  double epsilon;
  uint32_t window;
  int stat;
  int exclude;
} ws_params;

#define DSPFN_LANES_STAGE ws
#define DSPFN_LANES_PARAMS ws_params
#define DSPFN_LANES_SLOTS 3
#define DSPFN_LANES_FILE "families/windowed_stats/windowed_stats.c"
#define DSPFN_LANES_LOOP "families/windowed_stats/windowed_stats_loop.h"
#include "common/lanes.h"

static const char *const ws_names[] = {"variance", "stddev", "zScore", "meanAbsolute", "min", "max"};

typedef struct {
  ws_params p;
  uint32_t channels;
  uint32_t n_prefix; /* prefix values per channel */
  double *prefix;
} ws_state;

#define WS_HEADER ((sizeof(ws_state) + 63) & ~(size_t)63)

static int is_moment(int stat) { return stat <= DSPFN_WS_ZSCORE; }
static int is_extreme(int stat) { return stat == DSPFN_WS_MIN || stat == DSPFN_WS_MAX; }

/* Zeros after each f64 suffix array: the one-channel loops load whole vectors past its end. */
#define WS_SUFFIX_PAD 4

/* The block after the header: prefix, suffix1, suffix2, ring, extremes. */
static size_t ws_mem_bytes(uint32_t channels, uint32_t window, int stat) {
  const size_t cells = (size_t)window * channels;
  const size_t prefix = (is_moment(stat) ? 3 : 1) * (size_t)channels * sizeof(double);
  const size_t suffixes = (is_moment(stat) ? 2 : is_extreme(stat) ? 0 : 1) * (cells + WS_SUFFIX_PAD) * sizeof(double);
  return WS_HEADER + prefix + suffixes + cells * sizeof(float) * (is_extreme(stat) ? 2 : 1);
}

int dspfn_ws_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why, int stat) {
  const int shape_ok = n_params >= 1 && dspfn_whole(params[0], 1, DSPFN_WS_MAX_WINDOW) && in_channels >= 1 && in_channels <= DSPFN_WS_MAX_CHANNELS;
  if (stat == DSPFN_WS_ZSCORE) {
    if (n_params != 3 || !shape_ok || !(params[1] == 0 || params[1] == 1) || !(params[2] > 0 && isfinite(params[2]))) {
      return dspfn_fail(why, DSPFN_E_ARG,
                        "zScore needs params [window, excludeCurrent, epsilon] (a whole window in 1..%u, 0 or 1, epsilon > 0) and 1..%u channels",
                        DSPFN_WS_MAX_WINDOW, DSPFN_WS_MAX_CHANNELS);
    }
  } else if (n_params != 1 || !shape_ok) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs a whole window in 1..%u and 1..%u channels", ws_names[stat], DSPFN_WS_MAX_WINDOW, DSPFN_WS_MAX_CHANNELS);
  }
  shape->out_channels = in_channels;
  shape->mem_bytes = ws_mem_bytes(in_channels, (uint32_t)params[0], stat);
  return DSPFN_OK;
}

int dspfn_ws_init(void *mem, const double *params, size_t n_params, uint32_t in_channels, int stat) {
  const uint32_t window = (uint32_t)params[0];
  const size_t cells = (size_t)window * in_channels;
  memset(mem, 0, ws_mem_bytes(in_channels, window, stat));
  ws_state *S = (ws_state *)mem;
  S->channels = in_channels;
  S->n_prefix = is_moment(stat) ? 3 : 1;
  S->prefix = (double *)((unsigned char *)mem + WS_HEADER);
  double *next = S->prefix + (size_t)S->n_prefix * in_channels;
  S->p.suffix1 = is_extreme(stat) ? NULL : next;
  S->p.suffix2 = is_moment(stat) ? next + cells + WS_SUFFIX_PAD : NULL;
  next += (is_moment(stat) ? 2 : is_extreme(stat) ? 0 : 1) * (cells + WS_SUFFIX_PAD);
  S->p.ring = (float *)next;
  S->p.extremes = is_extreme(stat) ? S->p.ring + cells : NULL;
  S->p.count = 0;
  S->p.window = window;
  S->p.stat = stat;
  S->p.exclude = stat == DSPFN_WS_ZSCORE && n_params == 3 && params[1] == 1;
  S->p.epsilon = stat == DSPFN_WS_ZSCORE && n_params == 3 ? params[2] : 1e-12;
  return DSPFN_OK;
}

int dspfn_ws_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  ws_state *S = (ws_state *)state;
  ws_lanes(&S->p, S->prefix, S->channels, src, dst, frames, simd);
  S->p.count += frames;
  out->frames = frames;
  return DSPFN_OK;
}

size_t dspfn_ws_snapshot_bytes(const void *state) {
  const ws_state *S = (const ws_state *)state;
  return 16 + 4 * (size_t)S->p.window * S->channels;
}

int dspfn_ws_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const ws_state *S = (const ws_state *)state;
  if (out_bytes != dspfn_ws_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), S->p.window), (double)S->p.count);
  memcpy(p, S->p.ring, 4 * (size_t)S->p.window * S->channels);
  return DSPFN_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The rebuild of restore: each kernel's rebuild() (TypeScript), one channel at a time, with the
 * loop's operations in its order, so the prefix values and the suffixes come back bit for bit.
 * ------------------------------------------------------------------------------------------- */

static double best(double a, double b, int is_max) { return is_max ? (a > b ? a : b) : (a < b ? a : b); }

static void rebuild_channel(ws_state *S, size_t c, uint32_t p) {
  const size_t C = S->channels;
  const uint32_t W = S->p.window;
  const float *ring = S->p.ring;
  const int stat = S->p.stat, full = S->p.count >= W;
  if (is_moment(stat)) {
    double kb = 0, s1 = 0, s2 = 0;
    if (p > 0) kb = ring[c];
    for (uint32_t k = 0; k < p; k++) {
      const double d = (double)ring[(size_t)k * C + c] - kb;
      s1 = s1 + d;
      s2 = s2 + d * d;
    }
    S->prefix[c] = kb;
    S->prefix[C + c] = s1;
    S->prefix[2 * C + c] = s2;
    if (!full) return;
    const double ka = ring[(size_t)(W - 1) * C + c];
    double t1 = 0, t2 = 0;
    for (uint32_t j = W; j-- > p;) {
      const double d = (double)ring[(size_t)j * C + c] - ka;
      t1 = t1 + d;
      t2 = t2 + d * d;
      S->p.suffix1[(size_t)j * C + c] = t1;
      S->p.suffix2[(size_t)j * C + c] = t2;
    }
  } else if (stat == DSPFN_WS_MEAN_ABSOLUTE) {
    double sum = 0;
    for (uint32_t k = 0; k < p; k++) sum = k == 0 ? fabs((double)ring[c]) : sum + fabs((double)ring[(size_t)k * C + c]);
    S->prefix[c] = sum;
    if (!full) return;
    double u = 0;
    for (uint32_t j = W; j-- > p;) {
      u = u + fabs((double)ring[(size_t)j * C + c]);
      S->p.suffix1[(size_t)j * C + c] = u;
    }
  } else {
    const int is_max = stat == DSPFN_WS_MAX;
    double pre = 0;
    for (uint32_t k = 0; k < p; k++) pre = k == 0 ? (double)ring[c] : best(pre, (double)ring[(size_t)k * C + c], is_max);
    S->prefix[c] = pre;
    if (!full) return;
    double s = ring[(size_t)(W - 1) * C + c];
    S->p.extremes[(size_t)(W - 1) * C + c] = (float)s;
    for (uint32_t j = W - 1; j-- > p;) {
      s = best((double)ring[(size_t)j * C + c], s, is_max);
      S->p.extremes[(size_t)j * C + c] = (float)s;
    }
  }
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
  const size_t cells = (size_t)window * channels;
  memcpy(S->p.ring, in + 16, 4 * cells);
  /* Scratch as a fresh kernel has it, then what the ring determines. */
  memset(S->prefix, 0, (size_t)S->n_prefix * channels * sizeof(double));
  if (S->p.suffix1 != NULL) memset(S->p.suffix1, 0, cells * sizeof(double));
  if (S->p.suffix2 != NULL) memset(S->p.suffix2, 0, cells * sizeof(double));
  if (S->p.extremes != NULL) memset(S->p.extremes, 0, cells * sizeof(float));
  const uint32_t p = (uint32_t)(S->p.count % window);
  for (size_t c = 0; c < channels; c++) rebuild_channel(S, c, p);
  return DSPFN_OK;
}

#endif /* DSPFN_LANES_PASS: the loops come from windowed_stats_loop.h */
