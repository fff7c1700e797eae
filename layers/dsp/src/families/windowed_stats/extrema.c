#ifndef DSPFN_LANES_PASS
/*
 * min and max: state, ops and snapshots (windowed_stats.h); the loops are in extrema_loop.h,
 * instantiated per instruction set by the lane driver.
 *
 * State bytes, as ExtremaKernel.snapshot(): u32 channels · u32 window · f64 count · f32
 * ring[window × channels], frame-major. The running extreme of the current block (pre, one float64
 * lane value per channel) and the previous block's suffix extremes are not in it: restore rebuilds
 * them from the ring with the comparisons the loop makes, so they come back bit for bit.
 */
#include "families/windowed_stats/windowed_stats.h"

typedef struct {
  float *ring;   /* window × channels, frame-major */
  float *suffix; /* the previous block's suffix extremes, frame-major */
  uint64_t count;
  uint32_t window;
  int is_max;
} ex_params;

#define DSPFN_LANES_STAGE ex
#define DSPFN_LANES_PARAMS ex_params
#define DSPFN_LANES_SLOTS 1
#define DSPFN_LANES_FILE "families/windowed_stats/extrema.c"
#define DSPFN_LANES_LOOP "families/windowed_stats/extrema_loop.h"
#include "common/lanes.h"

typedef struct {
  ex_params p;
  uint32_t channels;
  double *pre; /* per channel */
} ex_state;

#define EX_HEADER ((sizeof(ex_state) + 63) & ~(size_t)63)

static size_t ex_mem_bytes(uint32_t channels, uint32_t window) {
  return EX_HEADER + (size_t)channels * sizeof(double) + 2 * (size_t)window * channels * sizeof(float);
}

int dspfn_extrema_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why, int is_max) {
  if (n_params != 1 || !dspfn_ws_valid_shape(params[0], in_channels)) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs a whole window in 1..%u and 1..%u channels", is_max ? "max" : "min", DSPFN_WS_MAX_WINDOW,
                      DSPFN_WS_MAX_CHANNELS);
  }
  shape->out_channels = in_channels;
  shape->mem_bytes = ex_mem_bytes(in_channels, (uint32_t)params[0]);
  return DSPFN_OK;
}

int dspfn_extrema_init(void *mem, const double *params, uint32_t in_channels, int is_max) {
  const uint32_t window = (uint32_t)params[0];
  memset(mem, 0, ex_mem_bytes(in_channels, window));
  ex_state *S = (ex_state *)mem;
  S->channels = in_channels;
  S->pre = (double *)((unsigned char *)mem + EX_HEADER);
  S->p.ring = (float *)(S->pre + in_channels);
  S->p.suffix = S->p.ring + (size_t)window * in_channels;
  S->p.count = 0;
  S->p.window = window;
  S->p.is_max = is_max;
  return DSPFN_OK;
}

int dspfn_extrema_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  ex_state *S = (ex_state *)state;
  ex_lanes(&S->p, S->pre, S->channels, src, dst, frames, simd);
  S->p.count += frames;
  out->frames = frames;
  return DSPFN_OK;
}

size_t dspfn_extrema_snapshot_bytes(const void *state) {
  const ex_state *S = (const ex_state *)state;
  return 16 + 4 * (size_t)S->p.window * S->channels;
}

int dspfn_extrema_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const ex_state *S = (const ex_state *)state;
  if (out_bytes != dspfn_extrema_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), S->p.window), (double)S->p.count);
  memcpy(p, S->p.ring, 4 * (size_t)S->p.window * S->channels);
  return DSPFN_OK;
}

static double best(double a, double b, int is_max) { return is_max ? (a > b ? a : b) : (a < b ? a : b); }

/* ExtremaKernel.rebuild(): pre over the current block's positions 0 … p−1, suffixes over the
 * previous block's positions p … W−1 (all of them when a block has just completed). */
static void ex_rebuild(ex_state *S) {
  const size_t C = S->channels;
  const uint32_t W = S->p.window;
  const uint32_t p = (uint32_t)(S->p.count % W);
  const float *ring = S->p.ring;
  float *suffix = S->p.suffix;
  memset(suffix, 0, 4 * (size_t)W * C);
  for (size_t c = 0; c < C; c++) {
    double pre = 0;
    for (uint32_t k = 0; k < p; k++) pre = k == 0 ? (double)ring[c] : best(pre, (double)ring[(size_t)k * C + c], S->p.is_max);
    S->pre[c] = pre;
    if (S->p.count < W) continue;
    double s = ring[(size_t)(W - 1) * C + c];
    suffix[(size_t)(W - 1) * C + c] = (float)s;
    for (uint32_t j = W - 1; j-- > p;) {
      s = best((double)ring[(size_t)j * C + c], s, S->p.is_max);
      suffix[(size_t)j * C + c] = (float)s;
    }
  }
}

int dspfn_extrema_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  ex_state *S = (ex_state *)state;
  const char *name = S->p.is_max ? "max" : "min";
  const size_t expected = dspfn_extrema_snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in), window = dspfn_get_u32(in + 4);
  if (channels != S->channels || window != S->p.window) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u channel(s) \xc3\x97 window %u, stage has %u \xc3\x97 %u", name, channels, window,
                      S->channels, S->p.window);
  }
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state holds a sample count that is not a whole number >= 0", name);
  S->p.count = (uint64_t)count;
  memcpy(S->p.ring, in + 16, 4 * (size_t)window * channels);
  ex_rebuild(S);
  return DSPFN_OK;
}

#endif /* DSPFN_LANES_PASS: the loops come from extrema_loop.h */
