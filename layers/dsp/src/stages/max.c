/* max: the windowed statistics family (families/windowed_stats/extrema.c). */
#include "families/windowed_stats/windowed_stats.h"

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  return dspfn_extrema_check(params, n_params, in_channels, shape, why, 1);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  return dspfn_extrema_init(mem, params, in_channels, 1);
}

const dspfn_stage_ops dspfn_max_ops = {
    .name = "max",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = dspfn_extrema_process,
    .snapshot_bytes = dspfn_extrema_snapshot_bytes,
    .snapshot = dspfn_extrema_snapshot,
    .restore = dspfn_extrema_restore,
    .test_hook = NULL,
};
