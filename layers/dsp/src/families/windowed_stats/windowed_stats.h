/*
 * The windowed statistics: variance, stddev, zScore and meanAbsolute (window_sums.c, loops in
 * sums_loop.h) and min, max (extrema.c, loops in extrema_loop.h). The C counterparts of
 * core/dsp/stages/families/windowed-stats/window-sums.kernel.ts and extrema.kernel.ts, which say
 * what is computed and why it stays exact; every path performs their float64 operations in their
 * order, so outputs and snapshots are bit-exact across TypeScript, scalar, SSE2, AVX2 and NEON.
 *
 * Both run channels in float64 lanes through the lane driver (common/lanes.h) with their own loop
 * file (DSPFN_LANES_LOOP): a loop sees a ring of past frames, stored frame-major
 * (ring[slot * channels + c], so one frame's channels load as one vector) exactly as the snapshot
 * stores it, and the schedule (warm-up, resync, block ends) depends only on the frame count, which
 * every channel shares. The stage files (stages/variance.c, …) are ops adapters.
 */
#ifndef DSPFN_WINDOWED_STATS_H
#define DSPFN_WINDOWED_STATS_H

#include "common/stage.h"

/* Mirror core/dsp/stages/families/windowed-stats/windowed-stats.options.ts and moving-window.options.ts. */
#define DSPFN_WS_RESYNC_MIN 65536u
#define DSPFN_WS_DIRECT_MAX 8u
#define DSPFN_WS_MAX_WINDOW 1048576u
#define DSPFN_WS_MAX_CHANNELS 4096u

/* The statistics of window_sums.c, numbered as SUM_STATISTICS in window-sums.kernel.ts. */
enum { DSPFN_WS_VARIANCE = 0, DSPFN_WS_STDDEV = 1, DSPFN_WS_ZSCORE = 2, DSPFN_WS_MEAN_ABSOLUTE = 3 };

/* The ops of variance, stddev, zScore (params [window, excludeCurrent, epsilon]) and meanAbsolute. */
int dspfn_ws_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why, int stat);
int dspfn_ws_init(void *mem, const double *params, size_t n_params, uint32_t in_channels, int stat);
int dspfn_ws_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_ws_snapshot_bytes(const void *state);
int dspfn_ws_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_ws_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* The ops of min and max (params [window]). */
int dspfn_extrema_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why,
                        int is_max);
int dspfn_extrema_init(void *mem, const double *params, uint32_t in_channels, int is_max);
int dspfn_extrema_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_extrema_snapshot_bytes(const void *state);
int dspfn_extrema_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_extrema_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* A whole window in 1..DSPFN_WS_MAX_WINDOW and 1..DSPFN_WS_MAX_CHANNELS channels. */
static inline int dspfn_ws_valid_shape(double window, uint32_t in_channels) {
  return dspfn_whole(window, 1, DSPFN_WS_MAX_WINDOW) && in_channels >= 1 && in_channels <= DSPFN_WS_MAX_CHANNELS;
}

#endif /* DSPFN_WINDOWED_STATS_H */
