/* lms({ taps, mu, eps }): the adaptive-filter family without the normalisation (eps ignored) (families/adaptive_filter). */
#include "families/adaptive_filter/adaptive_filter.h"

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  return dspfn_af_check(params, n_params, in_channels, shape, why, "lms");
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  (void)in_channels;
  return dspfn_af_init_block(mem, params, 0);
}

const dspfn_stage_ops dspfn_lms_ops = {
    .name = "lms",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = dspfn_af_ops_process,
    .snapshot_bytes = dspfn_af_ops_snapshot_bytes,
    .snapshot = dspfn_af_ops_snapshot,
    .restore = dspfn_af_ops_restore,
    .test_hook = NULL,
};
