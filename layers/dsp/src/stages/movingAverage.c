/* movingAverage({ window }): the moving-window family with plain sums (families/moving_window). */
#include "families/moving_window/moving_window.h"

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  return dspfn_mw_check(params, n_params, in_channels, shape, why, "movingAverage");
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  return dspfn_mw_init_block(mem, params, in_channels, 0);
}

const dspfn_stage_ops dspfn_movingAverage_ops = {
    .name = "movingAverage",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = dspfn_mw_ops_process,
    .snapshot_bytes = dspfn_mw_ops_snapshot_bytes,
    .snapshot = dspfn_mw_ops_snapshot,
    .restore = dspfn_mw_ops_restore,
    .test_hook = dspfn_mw_ops_test_hook,
};
