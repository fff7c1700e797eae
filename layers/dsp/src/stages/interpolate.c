/*
 * interpolate({ factor, taps }) (the design arrives as coefficients, already × factor): factor
 * outputs per input sample, polyphase (families/rate).
 * Params: [factor, taps, h0 … h(taps−1)].
 */
#include "families/fir/fir_dot.h"
#include "families/rate/rate.h"

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params < 3 || !dspfn_whole(params[0], 2, DSPFN_RATE_MAX_FACTOR) || !dspfn_whole(params[1], 1, DSPFN_FIR_MAX_TAPS) ||
      n_params != 2 + (size_t)params[1]) {
    return dspfn_fail(why, DSPFN_E_ARG, "interpolate needs params [factor, taps, h…] with 2 <= factor <= %u and 1 <= taps <= %u", DSPFN_RATE_MAX_FACTOR,
                      DSPFN_FIR_MAX_TAPS);
  }
  const uint32_t factor = (uint32_t)params[0];
  return dspfn_rate_check("interpolate", factor, 1, params + 2, n_params - 2, in_channels, shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  const uint32_t factor = (uint32_t)params[0];
  return dspfn_rate_init(mem, "interpolate", factor, 1, params + 2, n_params - 2, in_channels);
}

const dspfn_stage_ops dspfn_interpolate_ops = {
    .name = "interpolate",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = dspfn_rate_max_output_frames,
    .process = dspfn_rate_process,
    .snapshot_bytes = dspfn_rate_snapshot_bytes,
    .snapshot = dspfn_rate_snapshot,
    .restore = dspfn_rate_restore,
    .test_hook = NULL,
};
