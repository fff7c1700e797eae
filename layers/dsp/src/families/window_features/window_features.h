/*
 * waveformLength, slopeSignChange, willisonAmplitude, linearSlope and snr: sliding sums over the
 * last W samples of each channel, cut into blocks of W so that nothing drifts. The C counterpart of
 * core/dsp/stages/families/window-features/window-features.kernel.ts, which explains the blocks:
 * every output is suffix[p + 1] + prefix[p], sums that restart every block and are formed in the
 * same order on every path (channels in float64 lanes, each lane performing the scalar operations).
 *
 * Files: window_features.h (this: state, limits, the shared codec), window_features.c, lanes.h
 * (what a stage file includes: the passes and the stage's entry points), loop.h (the loops, once
 * per instruction set). Each stage file (stages/waveformLength.c, …) writes its terms and output
 * on lanes.
 */
#ifndef DSPFN_WINDOW_FEATURES_H
#define DSPFN_WINDOW_FEATURES_H

#include <math.h>

#include "common/stage.h"

/* Mirror core/dsp/stages/families/window-features/window-features.options.ts. */
#define DSPFN_WF_MAX_WINDOW 1048576u
#define DSPFN_WF_MAX_SAMPLES 16777216u /* window × channels */
#define DSPFN_WF_MAX_CHANNELS 4096u

typedef struct {
  uint32_t channels; /* C: input channels, each with its own ring and sums */
  uint32_t window;   /* W */
  uint32_t history;  /* H: samples before a sample its terms read */
  uint32_t sums;     /* K: sums per channel */
  uint32_t ring_len; /* W + H */
  uint64_t count;    /* frames seen */
  double param;      /* the stage's threshold, for those that have one */
  /* Slot-major, so one frame's channels load as a vector: sample n of channel c in
   * ring[(n mod (W + H)) * C + c]. Snapshots use the TypeScript channel-major order. */
  float *ring;
  /* q[(k * (W + 1) + i) * C + c]: term k's suffix sums over the last complete block (i = W: 0). */
  double *q;
  /* t[(k * W + i) * C + c]: term k of the current block's sample at position i. */
  double *t;
  /* p[k * C + c]: term k's sum over the current block so far. */
  double *p;
} dspfn_wf_t;

/* check: the window and channel limits, and the state block's size (struct, then its arrays). */
int dspfn_wf_check(const char *name, uint32_t window, uint32_t min_window, uint32_t in_channels, uint32_t history, uint32_t sums,
                   dspfn_shape *shape, dspfn_msg *why);
void dspfn_wf_init(void *mem, uint32_t in_channels, uint32_t window, uint32_t history, uint32_t sums);
size_t dspfn_wf_snapshot_bytes(const dspfn_wf_t *S);
int dspfn_wf_snapshot(const dspfn_wf_t *S, uint8_t *out, size_t out_bytes);
/* Validates everything, then takes the count and ring (the caller derives the sums from them). */
int dspfn_wf_restore(const char *name, dspfn_wf_t *S, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* Whether sample a has the h samples before it its terms read (a function: no constant comparisons). */
static inline int dspfn_wf_has_history(uint64_t a, uint32_t h) { return a >= h; }

/* Ring slot `back` samples before `slot` (back <= 3). */
static inline size_t dspfn_wf_back(size_t slot, size_t back, size_t R) { return (slot + 3 * R - back) % R; }

/*
 * The wiring every window-feature stage shares, after its check, init, process and
 * `params_of(const dspfn_wf_t *)` (its DSPFN_LANES_PARAMS from the state): snapshot, restore (which
 * derives the stage's sums again from the restored samples) and the ops table dspfn_<stage>_ops.
 */
#define DSPFN_WF_STAGE(stage)                                                                             \
  static size_t snapshot_bytes(const void *state) { return dspfn_wf_snapshot_bytes((const dspfn_wf_t *)state); } \
  static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {                                 \
    return dspfn_wf_snapshot((const dspfn_wf_t *)state, out, out_bytes);                                   \
  }                                                                                                        \
  static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {                    \
    dspfn_wf_t *S = (dspfn_wf_t *)state;                                                                   \
    const int status = dspfn_wf_restore(#stage, S, in, in_bytes, why);                                     \
    if (status == DSPFN_OK) {                                                                              \
      const stage##_params p = params_of(S);                                                               \
      stage##_wf_derive(&p, S);                                                                            \
    }                                                                                                      \
    return status;                                                                                         \
  }                                                                                                        \
  DSPFN_STAGE_OPS(stage, NULL, process, snapshot_bytes, snapshot, restore, 0, 0)

/*
 * params_of, check and init of a stage that counts, over the window, the samples whose one term
 * passes a threshold (willisonAmplitude: history 1, slopeSignChange: history 2): params
 * [window, threshold], the threshold kept in the state's `param`.
 */
#define DSPFN_WF_THRESHOLD_COUNT(stage, history)                                                                            \
  static stage##_params params_of(const dspfn_wf_t *S) {                                                                   \
    const stage##_params p = {S->param};                                                                                 \
    return p;                                                                                                            \
  }                                                                                                                      \
  static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {  \
    if (n_params != 2 || !dspfn_whole(params[0], 1, DSPFN_WF_MAX_WINDOW) || !(params[1] >= 0 && isfinite(params[1]))) { \
      return dspfn_fail(why, DSPFN_E_ARG,                                                                                \
                        #stage " needs params [window, threshold]: a whole window in 1..%u, a finite threshold >= 0",     \
                        DSPFN_WF_MAX_WINDOW);                                                                            \
    }                                                                                                                    \
    shape->out_channels = in_channels;                                                                                   \
    return dspfn_wf_check(#stage, (uint32_t)params[0], 1, in_channels, history, 1, shape, why);                          \
  }                                                                                                                      \
  static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {                              \
    (void)n_params;                                                                                                      \
    dspfn_wf_init(mem, in_channels, (uint32_t)params[0], history, 1);                                                    \
    ((dspfn_wf_t *)mem)->param = params[1];                                                                              \
    return DSPFN_OK;                                                                                                     \
  }

/* process() of a stage with one output frame per input frame written by the lanes themselves. */
#define DSPFN_WF_PROCESS(stage)                                                                               \
  static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) { \
    dspfn_wf_t *S = (dspfn_wf_t *)state;                                                                       \
    const stage##_params p = params_of(S);                                                                     \
    stage##_wf_process(&p, S, src, dst, frames, simd);                                                         \
    out->frames = frames;                                                                                      \
    return DSPFN_OK;                                                                                           \
  }

#endif /* DSPFN_WINDOW_FEATURES_H */
