/*
 * crossings({ high, low }): hysteresis per channel — below, x ≥ high is a `rising` event (code 0)
 * and the channel is above; above, x ≤ low is a `falling` event (code 1) and the channel is below.
 * Channels start below. The C counterpart of core/dsp/stages/crossings/crossings.kernel.ts: the
 * same float64 comparisons on float32 samples (exact).
 *
 * SIMD: blocks of samples where no channel can cross (all below and under high, all above and
 * over low, or all strictly between low and high) are skipped with a vector compare
 * (families/events: dspfn_ev_find); decisions are taken sample by sample.
 *
 * Slot per channel: f64 side (0 below, 1 above).
 */
#include <math.h>

#include "families/events/events.h"

typedef struct {
  double high, low;
  float at_least_high; /* x >= high ⟺ x >= at_least_high, for float32 x */
  float at_most_low;   /* x <= low ⟺ x <= at_most_low */
  dspfn_ev_state *ev;
} crossings_state;

static const double INITIAL[1] = {0};

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 2 || !isfinite(params[0]) || !isfinite(params[1]) || !(params[1] < params[0])) {
    return dspfn_fail(why, DSPFN_E_ARG, "crossings needs params [high, low], finite numbers with low < high");
  }
  const int status = dspfn_ev_check("crossings", in_channels, 1, shape, why);
  if (status != DSPFN_OK) return status;
  shape->mem_bytes = dspfn_ev_mem_bytes(sizeof(crossings_state), in_channels, 1);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  dspfn_ev_state *ev = dspfn_ev_init(mem, sizeof(crossings_state), in_channels, 1, INITIAL);
  crossings_state *X = (crossings_state *)mem;
  X->high = params[0];
  X->low = params[1];
  X->at_least_high = dspfn_ev_at_least(params[0]);
  X->at_most_low = dspfn_ev_at_most(params[1]);
  X->ev = ev;
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  crossings_state *X = (crossings_state *)state;
  dspfn_ev_state *S = X->ev;
  const uint32_t C = S->channels;
  double *side = S->s;
  const double high = X->high, low = X->low;
  uint32_t above = 0;
  for (uint32_t c = 0; c < C; c++) above += side[c] == 1;
  size_t w = 0, dense = 0, k = 0;
  while (k < frames) {
    if (dense == 0) {
      /* Quiet samples: under high while every channel is below, over low while every one is above,
       * strictly between them otherwise. */
      const float a = above == 0 ? -INFINITY : X->at_most_low;
      const float b = above == C ? INFINITY : X->at_least_high;
      const size_t from = k;
      k = dspfn_ev_find(src, k * C, frames * C, a, b, 0, simd) / C;
      if (k == frames) break;
      if (k - from <= DSPFN_EV_DENSE) dense = DSPFN_EV_DENSE;
    }
    const double n = S->count + (double)k;
    for (uint32_t c = 0; c < C; c++) {
      const double x = (double)src[k * C + c];
      if (side[c] == 1 ? x <= low : x >= high) {
        const int falling = side[c] == 1;
        dspfn_ev_emit(dst, out->positions, w++, c, falling ? 1.0f : 0.0f, (float)x, n);
        side[c] = falling ? 0 : 1;
        above = falling ? above - 1 : above + 1;
      }
    }
    k++;
    if (dense > 0) dense--;
  }
  dspfn_ev_done(S, out, frames, w);
  return DSPFN_OK;
}

static int invalid_channel(const void *stage_state, const double *slots, double count, dspfn_msg *why) {
  (void)stage_state;
  if (slots[0] != 0 && slots[0] != 1) return dspfn_fail(why, 1, "holds a side that is not 0 (below) or 1 (above)");
  if (slots[0] == 1 && count == 0) return dspfn_fail(why, 1, "is above before any sample");
  return 0;
}

DSPFN_EV_STAGE(crossings, crossings_state);
