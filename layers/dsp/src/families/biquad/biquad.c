#ifndef DSPFN_LANES_PASS
/* The biquad cascade family: state, params, snapshots and the lane-driver instances (biquad.h). */
#include "families/biquad/biquad.h"

#include <math.h>

/* Two or more channels: one section in direct form I, y = (((b0·x + b1·x1) + b2·x2) − a2·y2) − a1·y1. */
typedef struct {
  double b0, b1, b2, a1, a2;
} biquad_coef;

/* One channel: one section in its look-ahead form (core/dsp/stages/families/biquad/look-ahead.ts):
 * y[n] = (((((g0·x[n] + g1·x[n−1]) + g2·x[n−2]) + g3·x[n−3]) + g4·x[n−4]) − c4·y[n−4]) − c2·y[n−2]. */
typedef struct {
  double g0, g1, g2, g3, g4, c2, c4;
} biquad_terms;

/* What the lane loops read: the sections and how many. */
typedef struct {
  const biquad_coef *coef;
  uint32_t sections;
} biquad_params;

/* History values per level (the input, then each section's output): direct form I keeps x[n−1],
 * x[n−2]; the look-ahead form x[n−1] … x[n−4]. */
#define BIQUAD_DEPTH(channels) ((channels) == 1 ? 4u : 2u)
#define BIQUAD_SLOTS(sections, depth) ((size_t)(depth) * ((size_t)(sections) + 1))

#define DSPFN_LANES_STAGE biquad
#define DSPFN_LANES_PARAMS biquad_params
#define DSPFN_LANES_SLOTS 1 /* stateful; the slot count is 2·(sections + 1), handled by the family loop */
#define DSPFN_LANES_LOOP "families/biquad/biquad_loop.h"
#define DSPFN_LANES_FILE "families/biquad/biquad.c"
#include "common/lanes.h"

#include "families/biquad/pairs.h"

typedef struct {
  biquad_params p;
  const biquad_terms *terms; /* one channel */
  uint32_t channels;
  double *history; /* BIQUAD_SLOTS × channels, slot-major */
} biquad_state;

#define BIQUAD_HEADER ((sizeof(biquad_state) + 63) & ~(size_t)63)

static size_t history_values(uint32_t sections, uint32_t channels) { return BIQUAD_SLOTS(sections, BIQUAD_DEPTH(channels)) * channels; }

static size_t mem_bytes(uint32_t sections, uint32_t channels) {
  return BIQUAD_HEADER + (size_t)sections * (sizeof(biquad_coef) + sizeof(biquad_terms)) + history_values(sections, channels) * sizeof(double);
}

/* z² + a1·z + a2 has both roots strictly inside the unit circle (the stability triangle). */
static int in_triangle(double a1, double a2) { return fabs(a2) < 1 && fabs(a1) < 1 + a2; }

/* The section and its look-ahead form are stable (core/dsp/design/stability.ts, the same operations). */
static int stable(double a1, double a2) { return in_triangle(a1, a2) && in_triangle(2 * a2 - a1 * a1, a2 * a2); }

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
  biquad_terms *terms = (biquad_terms *)(coef + sections);
  for (uint32_t s = 0; s < sections; s++) {
    const double *k = params + 1 + 5 * (size_t)s;
    const double b0 = k[0], b1 = k[1], b2 = k[2], a1 = k[3], a2 = k[4];
    coef[s] = (biquad_coef){b0, b1, b2, a1, a2};
    /* look-ahead.ts, operation for operation */
    terms[s] = (biquad_terms){b0, b1 - a1 * b0, b2 - a1 * b1 + a2 * b0, a2 * b1 - a1 * b2, a2 * b2, 2 * a2 - a1 * a1, a2 * a2};
  }
  S->p.coef = coef;
  S->p.sections = sections;
  S->terms = terms;
  S->channels = in_channels;
  S->history = (double *)(terms + sections);
  return DSPFN_OK;
}

int dspfn_biquad_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  biquad_state *S = (biquad_state *)state;
  if (S->channels == 1) {
    /* Consecutive samples side by side (pairs.h), or frame by frame on the scalar path. */
    if (!biquad_pairs(simd, S->terms, S->p.sections, S->history, src, dst, frames)) {
      for (size_t f = 0; f < frames; f++) biquad_one(S->terms, S->p.sections, S->history, src + f, dst + f);
    }
  } else {
    biquad_lanes(&S->p, S->history, S->channels, src, dst, frames, simd);
  }
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
