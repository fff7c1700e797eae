/*
 * peaks({ threshold, minDistance }): per channel, x[n−1] is a peak when it is > threshold and
 * > x[n−2], n−1 ≥ 1, x[n−1] ≥ x[n], and it lies at least minDistance after the channel's previous
 * peak — decided when x[n] arrives. The C counterpart of core/dsp/stages/peaks/peaks.kernel.ts: the
 * same float64 comparisons on float32 samples (exact), so every path gives the same events.
 *
 * SIMD: while no channel has a pending candidate, blocks of samples none of which is above the
 * threshold are skipped with a vector compare (families/events: dspfn_ev_find); decisions are
 * taken sample by sample.
 *
 * Slots per channel: f64 previous sample, f64 pending (0/1), f64 index of the last peak (−1: none).
 */
#include <math.h>

#include "families/events/events.h"

typedef struct {
  double threshold;
  double min_distance;
  float above; /* x > threshold ⟺ x >= above, for float32 x */
  dspfn_ev_state *ev;
} peaks_state;

static const double INITIAL[3] = {0, 0, -1};

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 2 || !isfinite(params[0]) || !dspfn_whole(params[1], 1, 2147483648.0)) {
    return dspfn_fail(why, DSPFN_E_ARG, "peaks needs params [threshold, minDistance]: a finite threshold, minDistance a whole number in 1..2^31");
  }
  const int status = dspfn_ev_check("peaks", in_channels, 3, shape, why);
  if (status != DSPFN_OK) return status;
  shape->mem_bytes = dspfn_ev_mem_bytes(sizeof(peaks_state), in_channels, 3);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  dspfn_ev_state *ev = dspfn_ev_init(mem, sizeof(peaks_state), in_channels, 3, INITIAL);
  peaks_state *P = (peaks_state *)mem;
  P->threshold = params[0];
  P->min_distance = params[1];
  P->above = dspfn_ev_above(params[0]);
  P->ev = ev;
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  peaks_state *P = (peaks_state *)state;
  dspfn_ev_state *S = P->ev;
  const uint32_t C = S->channels;
  double *s = S->s;
  const double threshold = P->threshold, min_distance = P->min_distance;
  int pending = 0;
  for (uint32_t c = 0; c < C; c++) pending |= s[3 * c + 1] == 1;
  size_t w = 0, dense = 0, k = 0;
  while (k < frames) {
    if (!pending && dense == 0) {
      /* No candidate: only a sample above the threshold can start one. */
      const size_t from = k;
      k = dspfn_ev_find(src, k * C, frames * C, -INFINITY, P->above, 0, simd) / C;
      if (k > from)
        for (uint32_t c = 0; c < C; c++) s[3 * c] = (double)src[(k - 1) * C + c];
      if (k == frames) break;
      if (k - from <= DSPFN_EV_DENSE) dense = DSPFN_EV_DENSE;
    }
    const double n = S->count + (double)k;
    pending = 0;
    for (uint32_t c = 0; c < C; c++) {
      double *sc = s + 3 * c;
      const double x = (double)src[k * C + c];
      if (sc[1] == 1 && sc[0] >= x) {
        const double last = sc[2];
        if (last < 0 || n - 1 - last >= min_distance) {
          dspfn_ev_emit(dst, out->positions, w++, c, 0.0f, (float)sc[0], n - 1);
          sc[2] = n - 1;
        }
      }
      sc[1] = n >= 1 && x > threshold && x > sc[0] ? 1 : 0;
      sc[0] = x;
      pending |= sc[1] == 1;
    }
    k++;
    if (dense > 0) dense--;
  }
  dspfn_ev_done(S, out, frames, w);
  return DSPFN_OK;
}

static int invalid_channel(const void *stage_state, const double *slots, double count, dspfn_msg *why) {
  const peaks_state *P = (const peaks_state *)stage_state;
  const double previous = slots[0], pending = slots[1], last = slots[2];
  if (!isnan(previous) && (double)(float)previous != previous) return dspfn_fail(why, 1, "holds a previous sample that is not a float32 value");
  if (pending != 0 && pending != 1) return dspfn_fail(why, 1, "holds a pending flag that is not 0 or 1");
  if (pending == 1 && !(count >= 2 && previous > P->threshold)) return dspfn_fail(why, 1, "holds a pending peak that cannot be one");
  if (!(last == -1 || (dspfn_whole(last, 1, 9007199254740992.0) && last <= count - 2))) return dspfn_fail(why, 1, "holds a last peak index outside the samples seen");
  return 0;
}

DSPFN_EV_STAGE(peaks, peaks_state);
