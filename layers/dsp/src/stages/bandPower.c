/*
 * bandPower({ size, hop, window, bands, sampleRate }): per frame, channel and band, Σ|X_k|² over
 * the bins whose frequency k·sampleRate/size lies in [low, high), in ascending k
 * (families/spectral; core/dsp/stages/bandPower/bandPower.kernel.ts).
 * Params: [size, hop, window, n, (2, low, high) × n, sampleRate].
 */
#include "families/spectral/spectral.h"

#define BAND_POWER_MAX_BANDS 256u

typedef struct {
  uint32_t bands;
  uint32_t first[BAND_POWER_MAX_BANDS], end[BAND_POWER_MAX_BANDS];
} band_tables;

/* The bins [*first, *end) of [low, high) (empty: first = end = 0), as bandBins in TypeScript. */
static void band_bins(double low, double high, double sample_rate, uint32_t size, uint32_t *first, uint32_t *end) {
  int64_t f0 = -1, e = -1;
  for (uint32_t k = 0; k <= size / 2; k++) {
    const double f = dspfn_bin_hz(k, sample_rate, size);
    if (f >= low && f < high) {
      if (f0 < 0) f0 = k;
      e = (int64_t)k + 1;
    }
  }
  *first = f0 < 0 ? 0 : (uint32_t)f0;
  *end = f0 < 0 ? 0 : (uint32_t)e;
}

static void band_power_reduce(const dspfn_spectral *S, const double *power, float *out, double *carry, int first) {
  (void)carry;
  (void)first;
  const band_tables *T = (const band_tables *)S->stage;
  for (uint32_t b = 0; b < T->bands; b++) {
    double sum = 0;
    for (uint32_t k = T->first[b]; k < T->end[b]; k++) sum += power[k];
    out[b] = (float)sum;
  }
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params < 4 || !dspfn_whole(params[3], 1, BAND_POWER_MAX_BANDS) || n_params != 5 + 3 * (size_t)params[3]) {
    return dspfn_fail(why, DSPFN_E_ARG, "bandPower needs params [size, hop, window, n, (2, low, high) × n, sampleRate] with 1..%u bands", BAND_POWER_MAX_BANDS);
  }
  const int status = dspfn_spectral_check("bandPower", params[0], params[1], params[2], in_channels, why);
  if (status != DSPFN_OK) return status;
  const uint32_t size = (uint32_t)params[0], bands = (uint32_t)params[3];
  const double sample_rate = params[n_params - 1];
  if (!(sample_rate > 0 && sample_rate <= 1e9)) return dspfn_fail(why, DSPFN_E_ARG, "bandPower needs a sampleRate > 0 and <= 1e9");
  for (uint32_t b = 0; b < bands; b++) {
    const double *band = params + 4 + 3 * (size_t)b;
    if (band[0] != 2 || !(band[1] >= 0) || !(band[2] > band[1])) return dspfn_fail(why, DSPFN_E_ARG, "bandPower band %u needs [low, high) with 0 <= low < high", b);
    uint32_t first, end;
    band_bins(band[1], band[2], sample_rate, size, &first, &end);
    if (first == end) return dspfn_fail(why, DSPFN_E_ARG, "bandPower band [%g, %g) holds no FFT bin", band[1], band[2]);
  }
  shape->out_channels = in_channels * bands;
  shape->mem_bytes = dspfn_spectral_bytes(in_channels, size, 0, sizeof(band_tables));
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  const uint32_t size = (uint32_t)params[0], bands = (uint32_t)params[3];
  band_tables *T = (band_tables *)dspfn_spectral_init(mem, "bandPower", in_channels, size, (uint32_t)params[1], (int)params[2], bands, 0,
                                                      band_power_reduce, sizeof(band_tables));
  T->bands = bands;
  for (uint32_t b = 0; b < bands; b++) {
    const double *band = params + 4 + 3 * (size_t)b;
    band_bins(band[1], band[2], params[n_params - 1], size, &T->first[b], &T->end[b]);
  }
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_bandPower_ops = {
    .name = "bandPower",
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
