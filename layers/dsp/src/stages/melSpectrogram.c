/*
 * melSpectrogram({ size, hop, sampleRate, melBands }): ln(mel power + 1e-10) per frame, channel and
 * band, Hann window (families/spectral/mel.h; core/dsp/stages/melSpectrogram/melSpectrogram.kernel.ts).
 * Params: [size, hop, sampleRate, melBands].
 */
#include "families/spectral/mel.h"

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static void mel_reduce(const dspfn_spectral *S, const double *power, float *out, double *carry, int first) {
  (void)carry;
  (void)first;
  const dspfn_mel *T = (const dspfn_mel *)S->stage;
  dspfn_mel_logs(T, power);
  for (uint32_t m = 0; m < T->bands; m++) out[m] = (float)T->logs[m];
}

static size_t tables(const double *params) { return round64(sizeof(dspfn_mel)) + dspfn_mel_bytes((uint32_t)params[0], (uint32_t)params[3], 0); }

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 4) return dspfn_fail(why, DSPFN_E_ARG, "melSpectrogram needs params [size, hop, sampleRate, melBands]");
  const int status = dspfn_mel_check("melSpectrogram", params, in_channels, why);
  if (status != DSPFN_OK) return status;
  shape->out_channels = in_channels * (uint32_t)params[3];
  shape->mem_bytes = dspfn_spectral_bytes(in_channels, (uint32_t)params[0], 0, tables(params));
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  const uint32_t size = (uint32_t)params[0], bands = (uint32_t)params[3];
  dspfn_mel *T = (dspfn_mel *)dspfn_spectral_init(mem, "melSpectrogram", in_channels, size, (uint32_t)params[1], DSPFN_WINDOW_HANN, bands, 0,
                                                  mel_reduce, tables(params));
  dspfn_mel_init(T, size, params[2], bands, 0);
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_melSpectrogram_ops = {
    .name = "melSpectrogram",
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
