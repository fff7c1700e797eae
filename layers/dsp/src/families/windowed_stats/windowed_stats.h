/*
 * The windowed statistics variance, stddev, zScore, meanAbsolute, min and max: the C counterpart of
 * core/dsp/stages/families/windowed-stats/ (block-window.ts says how a window is cut into the
 * previous block's suffix and the current block's prefix, moments.kernel.ts why the moments stay
 * exact). Every path performs the TypeScript kernels' float64 operations in their order, so outputs
 * and snapshots are bit-exact across TypeScript, scalar, SSE2, AVX2 and NEON.
 *
 * Files: windowed_stats.c (state, ops, snapshots, the rebuild on restore), windowed_stats_loop.h
 * (the loops, channels in float64 lanes through the lane driver with DSPFN_LANES_LOOP). The stage
 * files (stages/variance.c, …) are ops adapters.
 */
#ifndef DSPFN_WINDOWED_STATS_H
#define DSPFN_WINDOWED_STATS_H

#include "common/stage.h"

/* Mirrors MAX_WINDOW in core/dsp/stages/families/moving-window/moving-window.options.ts. */
#define DSPFN_WS_MAX_WINDOW 1048576u
#define DSPFN_WS_MAX_CHANNELS 4096u

/* Numbered as MOMENTS in moments.kernel.ts, then the others. */
enum {
  DSPFN_WS_VARIANCE = 0,
  DSPFN_WS_STDDEV = 1,
  DSPFN_WS_ZSCORE = 2,
  DSPFN_WS_MEAN_ABSOLUTE = 3,
  DSPFN_WS_MIN = 4,
  DSPFN_WS_MAX = 5,
};

/* The ops of the six stages: params [window], zScore [window, excludeCurrent, epsilon]. */
int dspfn_ws_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why, int stat);
int dspfn_ws_init(void *mem, const double *params, size_t n_params, uint32_t in_channels, int stat);
int dspfn_ws_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_ws_snapshot_bytes(const void *state);
int dspfn_ws_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_ws_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* The ops of one windowed statistic (stages/<name>.c): everything goes through the family, so a
 * stage file is this one line, e.g. DSPFN_WS_STAGE(max, DSPFN_WS_MAX). */
#define DSPFN_WS_STAGE(stage, stat)                                                                       \
  static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, \
                   dspfn_msg *why) {                                                                \
    return dspfn_ws_check(params, n_params, in_channels, shape, why, stat);                         \
  }                                                                                                 \
  static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {        \
    return dspfn_ws_init(mem, params, n_params, in_channels, stat);                                 \
  }                                                                                                 \
  DSPFN_STAGE_OPS(stage, NULL, dspfn_ws_process, dspfn_ws_snapshot_bytes, dspfn_ws_snapshot, dspfn_ws_restore, 0, 0)

#endif /* DSPFN_WINDOWED_STATS_H */
