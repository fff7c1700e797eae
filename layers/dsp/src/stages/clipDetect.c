/*
 * clipDetect({ threshold }): per channel, a run of consecutive samples with |x| ≥ threshold is one
 * `clip` event at the run's first sample (its index and value); a sample with |x| < threshold (or
 * NaN) ends the run. The C counterpart of core/dsp/stages/clipDetect/clipDetect.kernel.ts: |x| and
 * the comparison in float64 (exact for float32 samples).
 *
 * SIMD: while no channel is in a run, blocks where every |x| is under the threshold are skipped;
 * while every channel is in one, blocks where every |x| is at or over it (families/events:
 * dspfn_ev_find); decisions are taken sample by sample.
 *
 * Slot per channel: f64 in a run (0/1).
 */
#include <math.h>

#include "families/events/events.h"

typedef struct {
  double threshold;
  float at_least; /* |x| >= threshold ⟺ x >= at_least || x <= −at_least, for float32 x */
  dspfn_ev_state *ev;
} clip_detect_state;

static const double INITIAL[1] = {0};

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !isfinite(params[0]) || !(params[0] > 0)) return dspfn_fail(why, DSPFN_E_ARG, "clipDetect needs params [threshold], a finite number > 0");
  const int status = dspfn_ev_check("clipDetect", in_channels, 1, shape, why);
  if (status != DSPFN_OK) return status;
  shape->mem_bytes = dspfn_ev_mem_bytes(sizeof(clip_detect_state), in_channels, 1);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  dspfn_ev_state *ev = dspfn_ev_init(mem, sizeof(clip_detect_state), in_channels, 1, INITIAL);
  clip_detect_state *D = (clip_detect_state *)mem;
  D->threshold = params[0];
  D->at_least = dspfn_ev_at_least(params[0]);
  D->ev = ev;
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  clip_detect_state *D = (clip_detect_state *)state;
  dspfn_ev_state *S = D->ev;
  const uint32_t C = S->channels;
  double *run = S->s;
  const double threshold = D->threshold;
  const float t = D->at_least;
  uint32_t running = 0;
  for (uint32_t c = 0; c < C; c++) running += run[c] == 1;
  size_t w = 0, dense = 0, k = 0;
  while (k < frames) {
    if (dense == 0 && (running == 0 || running == C)) {
      /* Quiet samples: under the threshold outside runs, at or over it inside them. */
      const size_t from = k;
      k = dspfn_ev_find(src, k * C, frames * C, -t, t, running == C, simd) / C;
      if (k == frames) break;
      if (k - from <= DSPFN_EV_DENSE) dense = DSPFN_EV_DENSE;
    }
    const double n = S->count + (double)k;
    for (uint32_t c = 0; c < C; c++) {
      const double x = (double)src[k * C + c];
      const int clipped = fabs(x) >= threshold;
      if (clipped && run[c] == 0) {
        dspfn_ev_emit(dst, out->positions, w++, c, 0.0f, (float)x, n);
        running++;
      } else if (!clipped && run[c] == 1) {
        running--;
      }
      run[c] = clipped ? 1 : 0;
    }
    k++;
    if (dense > 0) dense--;
  }
  dspfn_ev_done(S, out, frames, w);
  return DSPFN_OK;
}

static int invalid_channel(const void *stage_state, const double *slots, double count, dspfn_msg *why) {
  (void)stage_state;
  if (slots[0] != 0 && slots[0] != 1) return dspfn_fail(why, 1, "holds a run flag that is not 0 or 1");
  if (slots[0] == 1 && count == 0) return dspfn_fail(why, 1, "is in a run before any sample");
  return 0;
}

DSPFN_EV_STAGE(clipDetect, clip_detect_state);
