#ifndef DSPFN_LANES_PASS
/* The biquad cascade family: state, params, snapshots and the lane-driver instances (biquad.h). */
#include "families/biquad/biquad.h"

#include <math.h>

typedef struct {
  double b0, b1, b2, a1, a2;
} biquad_coef;

/* What the frame loops read: the sections and how many. */
typedef struct {
  const biquad_coef *coef;
  uint32_t sections;
} biquad_params;

#define DSPFN_LANES_STAGE biquad
#define DSPFN_LANES_PARAMS biquad_params
#define DSPFN_LANES_SLOTS 1 /* stateful; the slot count is 2·(sections + 1), handled by the family loop */
#define DSPFN_LANES_LOOP "families/biquad/biquad_loop.h"
#define DSPFN_LANES_FILE "families/biquad/biquad.c"
#include "common/lanes.h"

typedef struct {
  biquad_params p;
  uint32_t channels;
  double *history; /* 2·(sections + 1) × channels, slot-major */
} biquad_state;

#define BIQUAD_HEADER ((sizeof(biquad_state) + 63) & ~(size_t)63)

static size_t history_values(uint32_t sections, uint32_t channels) { return 2 * ((size_t)sections + 1) * channels; }

static size_t mem_bytes(uint32_t sections, uint32_t channels) {
  return BIQUAD_HEADER + (size_t)sections * sizeof(biquad_coef) + history_values(sections, channels) * sizeof(double);
}

/* z² + a1·z + a2 has both roots strictly inside the unit circle (biquad.options.ts: the stability triangle). */
static int stable(double a1, double a2) { return fabs(a2) < 1 && fabs(a1) < 1 + a2; }

int dspfn_biquad_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why,
                       const char *name) {
  if (n_params < 1 || !dspfn_whole(params[0], 1, DSPFN_BIQUAD_MAX_SECTIONS) || n_params != 1 + 5 * (size_t)params[0]) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs params [sections, then b0, b1, b2, a1, a2 of each], 1..%u sections", name,
                      DSPFN_BIQUAD_MAX_SECTIONS);
  }
  const uint32_t sections = (uint32_t)params[0];
  for (size_t i = 1; i < n_params; i++) {
    if (!isfinite(params[i])) return dspfn_fail(why, DSPFN_E_ARG, "%s needs finite coefficients", name);
  }
  for (uint32_t s = 0; s < sections; s++) {
    const double *k = params + 1 + 5 * (size_t)s;
    if (!stable(k[3], k[4])) return dspfn_fail(why, DSPFN_E_ARG, "%s: the filter is not stable (section %u has a pole on or outside the unit circle)", name, s);
  }
  if (in_channels < 1 || in_channels > DSPFN_BIQUAD_MAX_CHANNELS) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s takes 1..%u channels", name, DSPFN_BIQUAD_MAX_CHANNELS);
  }
  shape->out_channels = in_channels;
  shape->mem_bytes = mem_bytes(sections, in_channels);
  return DSPFN_OK;
}

int dspfn_biquad_init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  const uint32_t sections = (uint32_t)params[0];
  memset(mem, 0, mem_bytes(sections, in_channels));
  biquad_state *S = (biquad_state *)mem;
  biquad_coef *coef = (biquad_coef *)((unsigned char *)mem + BIQUAD_HEADER);
  for (uint32_t s = 0; s < sections; s++) {
    const double *k = params + 1 + 5 * (size_t)s;
    coef[s] = (biquad_coef){k[0], k[1], k[2], k[3], k[4]};
  }
  S->p.coef = coef;
  S->p.sections = sections;
  S->channels = in_channels;
  S->history = (double *)(coef + sections);
  return DSPFN_OK;
}

int dspfn_biquad_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  biquad_state *S = (biquad_state *)state;
  biquad_lanes(&S->p, S->history, S->channels, src, dst, frames, simd);
  out->frames = frames;
  return DSPFN_OK;
}

size_t dspfn_biquad_snapshot_bytes(const void *state) {
  const biquad_state *S = (const biquad_state *)state;
  return 8 + 8 * history_values(S->p.sections, S->channels);
}

int dspfn_biquad_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const biquad_state *S = (const biquad_state *)state;
  if (out_bytes != dspfn_biquad_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_u32(dspfn_put_u32(out, S->channels), S->p.sections);
  const size_t n = history_values(S->p.sections, S->channels);
  for (size_t i = 0; i < n; i++) p = dspfn_put_f64(p, S->history[i]);
  return DSPFN_OK;
}

int dspfn_biquad_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  biquad_state *S = (biquad_state *)state;
  const size_t expected = dspfn_biquad_snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "biquad cascade state has %zu bytes, expected %zu", in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in);
  if (channels != S->channels) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "biquad cascade state is for %u channel(s), stage has %u", channels, S->channels);
  }
  const uint32_t sections = dspfn_get_u32(in + 4);
  if (sections != S->p.sections) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "biquad cascade state is for %u section(s), stage has %u", sections, S->p.sections);
  }
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "biquad cascade state has %zu bytes, expected %zu", in_bytes, expected);
  const size_t n = history_values(S->p.sections, S->channels);
  for (size_t i = 0; i < n; i++) S->history[i] = dspfn_get_f64(in + 8 + 8 * i);
  return DSPFN_OK;
}

#else
/* One direct-form-I section, compiled once per instruction set (LANES channels at a time). y1 enters
 * last, so the loop-carried dependency per sample is one multiply and one subtract. */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(section)(lane_t b0, lane_t b1, lane_t b2, lane_t a1, lane_t a2, lane_t x, lane_t x1,
                                                 lane_t x2, lane_t y1, lane_t y2) {
  return lane_sub(lane_sub(lane_add(lane_add(lane_mul(b0, x), lane_mul(b1, x1)), lane_mul(b2, x2)), lane_mul(a2, y2)),
                  lane_mul(a1, y1));
}
#endif
