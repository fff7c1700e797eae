/*
 * spectrum({ size, hop, window, output }): bins 0 … size/2 of each frame's rfft as |X|², |X| or
 * 10·log10(|X|² + 1e-20) (families/spectral; core/dsp/stages/spectrum/spectrum.kernel.ts).
 * Params: [size, hop, window index, output index (power, magnitude, db)].
 */
#include <math.h>

#include "families/spectral/spectral.h"
#include "families/spectral/spectral_math.h"

typedef struct {
  int output;
} spectrum_tables;

static void spectrum_reduce(const dspfn_spectral *S, const double *power, float *out, double *carry, int first) {
  (void)carry;
  (void)first;
  const int output = ((const spectrum_tables *)S->stage)->output;
  const uint32_t bins = S->size / 2 + 1;
  if (output == 0) {
    for (uint32_t k = 0; k < bins; k++) out[k] = (float)power[k];
  } else if (output == 1) {
    for (uint32_t k = 0; k < bins; k++) out[k] = (float)sqrt(power[k]);
  } else {
    for (uint32_t k = 0; k < bins; k++) out[k] = (float)(DSPFN_DB_PER_NEPER_POWER * dspfn_ln(power[k] + 1e-20));
  }
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 4) return dspfn_fail(why, DSPFN_E_ARG, "spectrum needs params [size, hop, window, output]");
  const int status = dspfn_spectral_check("spectrum", params[0], params[1], params[2], in_channels, why);
  if (status != DSPFN_OK) return status;
  if (!dspfn_whole(params[3], 0, 2)) return dspfn_fail(why, DSPFN_E_ARG, "spectrum needs an output index 0..2 (power, magnitude, db)");
  const uint32_t size = (uint32_t)params[0];
  shape->out_channels = in_channels * (size / 2 + 1);
  shape->mem_bytes = dspfn_spectral_bytes(in_channels, size, 0, sizeof(spectrum_tables));
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  const uint32_t size = (uint32_t)params[0];
  spectrum_tables *T = (spectrum_tables *)dspfn_spectral_init(mem, "spectrum", in_channels, size, (uint32_t)params[1], (int)params[2],
                                                              size / 2 + 1, 0, spectrum_reduce, sizeof(spectrum_tables));
  T->output = (int)params[3];
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_spectrum_ops = {
    .name = "spectrum",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = dspfn_spectral_max_output_frames,
    .process = dspfn_spectral_process,
    .snapshot_bytes = dspfn_spectral_snapshot_bytes,
    .snapshot = dspfn_spectral_snapshot,
    .restore = dspfn_spectral_restore,
    .separate_output = 1,
    .test_hook = NULL,
};
