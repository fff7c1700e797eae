/*
 * resample({ up, down, taps }) (up/down arrive reduced by their gcd, the design as coefficients,
 * already × up): zero-stuff by up, filter, keep every down-th sample, polyphase (families/rate).
 * Params: [up, down, taps, h0 … h(taps−1)].
 */
#include "families/fir/fir_dot.h"
#include "families/rate/rate.h"

static uint32_t gcd(uint32_t a, uint32_t b) {
  while (b != 0) {
    const uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params < 4 || !dspfn_whole(params[0], 1, DSPFN_RATE_MAX_FACTOR) || !dspfn_whole(params[1], 1, DSPFN_RATE_MAX_FACTOR) ||
      !dspfn_whole(params[2], 1, DSPFN_FIR_MAX_TAPS) || n_params != 3 + (size_t)params[2]) {
    return dspfn_fail(why, DSPFN_E_ARG, "resample needs params [up, down, taps, h…] with 1 <= up, down <= %u and 1 <= taps <= %u",
                      DSPFN_RATE_MAX_FACTOR, DSPFN_FIR_MAX_TAPS);
  }
  const uint32_t up = (uint32_t)params[0], down = (uint32_t)params[1];
  if (gcd(up, down) != 1 || (up < 2 && down < 2)) {
    return dspfn_fail(why, DSPFN_E_ARG, "resample needs up and down reduced by their gcd and not both 1 (has %u/%u)", up, down);
  }
  return dspfn_rate_check("resample", up, down, params + 3, n_params - 3, in_channels, shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  return dspfn_rate_init(mem, "resample", (uint32_t)params[0], (uint32_t)params[1], params + 3, n_params - 3, in_channels);
}

const dspfn_stage_ops dspfn_resample_ops = {
    .name = "resample",
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
