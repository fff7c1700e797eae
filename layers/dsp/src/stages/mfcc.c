/*
 * mfcc({ size, hop, sampleRate, melBands, coefficients }): the orthonormal DCT-II of
 * melSpectrogram's log bands, coefficients 0 … n−1 (families/spectral/mel.h;
 * core/dsp/stages/mfcc/mfcc.kernel.ts). Params: [size, hop, sampleRate, melBands, coefficients].
 */
#include "families/spectral/mel.h"

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static void mfcc_reduce(const dspfn_spectral *S, const double *power, float *out, double *carry, int first) {
  (void)carry;
  (void)first;
  const dspfn_mel *T = (const dspfn_mel *)S->stage;
  dspfn_mel_logs(T, power);
  const uint32_t M = T->bands;
  for (uint32_t j = 0; j < T->coefficients; j++) {
    const double *row = T->dct + (size_t)j * M;
    double sum = 0;
    for (uint32_t m = 0; m < M; m++) sum += T->logs[m] * row[m];
    out[j] = (float)(sum * T->scale[j]);
  }
}

static size_t tables(const double *params) {
  return round64(sizeof(dspfn_mel)) + dspfn_mel_bytes((uint32_t)params[0], (uint32_t)params[3], (uint32_t)params[4]);
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 5) return dspfn_fail(why, DSPFN_E_ARG, "mfcc needs params [size, hop, sampleRate, melBands, coefficients]");
  const int status = dspfn_mel_check("mfcc", params, in_channels, why);
  if (status != DSPFN_OK) return status;
  if (!dspfn_whole(params[4], 1, params[3])) return dspfn_fail(why, DSPFN_E_ARG, "mfcc needs 1..melBands coefficients");
  shape->out_channels = in_channels * (uint32_t)params[4];
  shape->mem_bytes = dspfn_spectral_bytes(in_channels, (uint32_t)params[0], 0, tables(params));
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  const uint32_t size = (uint32_t)params[0];
  dspfn_mel *T = (dspfn_mel *)dspfn_spectral_init(mem, "mfcc", in_channels, size, (uint32_t)params[1], DSPFN_WINDOW_HANN, (uint32_t)params[4],
                                                  0, mfcc_reduce, tables(params));
  dspfn_mel_init(T, size, params[2], (uint32_t)params[3], (uint32_t)params[4]);
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_mfcc_ops = {
    .name = "mfcc",
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
