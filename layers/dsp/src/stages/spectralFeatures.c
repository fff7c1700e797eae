/*
 * spectralFeatures({ size, hop, window, sampleRate, features }): centroid, rolloff (85 %), flatness
 * and flux per frame and channel (families/spectral; the definitions, and the silence and
 * first-frame cases, are core/dsp/stages/spectralFeatures/spectralFeatures.kernel.ts's).
 * Params: [size, hop, window, sampleRate, n, feature index × n] (centroid, rolloff, flatness, flux).
 */
#include <math.h>

#include "families/spectral/spectral.h"
#include "families/spectral/spectral_math.h"

enum { CENTROID = 0, ROLLOFF = 1, FLATNESS = 2, FLUX = 3 };
#define ROLLOFF_SHARE 0.85

typedef struct {
  double sample_rate;
  uint32_t count;
  int features[4];
} feature_tables;

static void features_reduce(const dspfn_spectral *S, const double *power, float *out, double *carry, int first) {
  const feature_tables *T = (const feature_tables *)S->stage;
  const uint32_t size = S->size, bins = size / 2 + 1;
  const double sr = T->sample_rate;
  double sum = 0, weighted = 0;
  for (uint32_t k = 0; k < bins; k++) {
    sum += power[k];
    weighted += dspfn_bin_hz(k, sr, size) * power[k];
  }
  for (uint32_t i = 0; i < T->count; i++) {
    double value = 0;
    switch (T->features[i]) {
      case CENTROID: value = sum == 0 ? 0 : weighted / sum; break;
      case ROLLOFF: {
        const double threshold = ROLLOFF_SHARE * sum;
        double acc = 0;
        value = __builtin_nan("");
        for (uint32_t k = 0; k < bins; k++) {
          acc += power[k];
          if (acc >= threshold) {
            value = dspfn_bin_hz(k, sr, size);
            break;
          }
        }
        break;
      }
      case FLATNESS: {
        if (sum == 0) break;
        double logs = 0;
        for (uint32_t k = 0; k < bins; k++) logs += dspfn_ln(power[k]);
        value = dspfn_exp(logs / (double)bins) / (sum / (double)bins);
        break;
      }
      default: { /* FLUX */
        double flux = 0;
        for (uint32_t k = 0; k < bins; k++) {
          const double magnitude = sqrt(power[k]);
          const double d = magnitude - carry[k];
          if (!first) flux += d * d;
          carry[k] = magnitude;
        }
        value = flux;
        break;
      }
    }
    out[i] = (float)value;
  }
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params < 5 || !dspfn_whole(params[4], 1, 4) || n_params != 5 + (size_t)params[4]) {
    return dspfn_fail(why, DSPFN_E_ARG, "spectralFeatures needs params [size, hop, window, sampleRate, n, feature × n] with 1..4 features");
  }
  const int status = dspfn_spectral_check("spectralFeatures", params[0], params[1], params[2], in_channels, why);
  if (status != DSPFN_OK) return status;
  if (!(params[3] > 0 && params[3] <= 1e9)) return dspfn_fail(why, DSPFN_E_ARG, "spectralFeatures needs a sampleRate > 0 and <= 1e9");
  int seen = 0, flux = 0;
  for (size_t i = 0; i < (size_t)params[4]; i++) {
    const double f = params[5 + i];
    if (!dspfn_whole(f, 0, 3) || (seen & (1 << (int)f))) return dspfn_fail(why, DSPFN_E_ARG, "spectralFeatures needs distinct feature indices 0..3");
    seen |= 1 << (int)f;
    flux |= f == FLUX;
  }
  const uint32_t size = (uint32_t)params[0];
  shape->out_channels = in_channels * (uint32_t)params[4];
  shape->mem_bytes = dspfn_spectral_bytes(in_channels, size, flux ? size / 2 + 1 : 0, sizeof(feature_tables));
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  const uint32_t size = (uint32_t)params[0], count = (uint32_t)params[4];
  int flux = 0;
  for (uint32_t i = 0; i < count; i++) flux |= (int)params[5 + i] == FLUX;
  feature_tables *T = (feature_tables *)dspfn_spectral_init(mem, "spectralFeatures", in_channels, size, (uint32_t)params[1], (int)params[2],
                                                            count, flux ? size / 2 + 1 : 0, features_reduce, sizeof(feature_tables));
  T->sample_rate = params[3];
  T->count = count;
  for (uint32_t i = 0; i < count; i++) T->features[i] = (int)params[5 + i];
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_spectralFeatures_ops = {
    .name = "spectralFeatures",
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
