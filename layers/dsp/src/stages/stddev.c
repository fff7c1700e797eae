/* stddev: the windowed statistics (families/windowed_stats). */
#include "families/windowed_stats/windowed_stats.h"

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  return dspfn_ws_check(params, n_params, in_channels, shape, why, DSPFN_WS_STDDEV);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  return dspfn_ws_init(mem, params, n_params, in_channels, DSPFN_WS_STDDEV);
}

const dspfn_stage_ops dspfn_stddev_ops = {
    .name = "stddev",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = dspfn_ws_process,
    .snapshot_bytes = dspfn_ws_snapshot_bytes,
    .snapshot = dspfn_ws_snapshot,
    .restore = dspfn_ws_restore,
    .test_hook = NULL,
};
