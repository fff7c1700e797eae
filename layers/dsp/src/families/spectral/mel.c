/* HTK mel filter banks and the DCT (mel.h); mel.ts is the reference. */
#include "families/spectral/mel.h"

#include <math.h>

#include "families/spectral/spectral_math.h"

static double mel_of(double hz) { return (2595 * dspfn_ln(1 + hz / 700)) / DSPFN_LN10; }
static double hz_of(double mel) { return 700 * (dspfn_exp((mel * DSPFN_LN10) / 2595) - 1); }

static double edge(double sample_rate, uint32_t bands, uint32_t i) {
  const double top = mel_of(sample_rate / 2);
  return i == bands + 1 ? hz_of(top) : hz_of((double)i * (top / (double)(bands + 1)));
}

/* Walks the bank as melFilters does; per band calls visit(band, first bin, weight index, weight). */
typedef void (*mel_visit)(dspfn_mel *T, uint32_t band, uint32_t k, double w);

static void walk(dspfn_mel *T, uint32_t size, double sample_rate, uint32_t bands, uint32_t *counts, mel_visit visit) {
  const uint32_t bins = size / 2 + 1;
  uint32_t k0 = 0;
  for (uint32_t m = 0; m < bands; m++) {
    const double lo = edge(sample_rate, bands, m), c = edge(sample_rate, bands, m + 1), hi = edge(sample_rate, bands, m + 2);
    while (k0 < bins && dspfn_bin_hz(k0, sample_rate, size) <= lo) k0++;
    uint32_t n = 0;
    for (uint32_t k = k0; k < bins; k++) {
      const double f = dspfn_bin_hz(k, sample_rate, size);
      if (!(f < hi)) break;
      const double lower = (f - lo) / (c - lo), upper = (hi - f) / (hi - c);
      if (visit != NULL) visit(T, m, k, lower < upper ? lower : upper);
      n++;
    }
    counts[m] = n;
  }
}

int dspfn_mel_empty_band(uint32_t size, double sample_rate, uint32_t bands) {
  uint32_t counts[DSPFN_MEL_MAX_BANDS];
  walk(NULL, size, sample_rate, bands, counts, NULL);
  for (uint32_t m = 0; m < bands; m++) {
    if (counts[m] == 0) return (int)m;
  }
  return -1;
}

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

size_t dspfn_mel_bytes(uint32_t size, uint32_t bands, uint32_t coefficients) {
  return 3 * round64(bands * sizeof(uint32_t)) + round64(2 * ((size_t)size / 2 + 1) * sizeof(double)) +
         round64((size_t)coefficients * bands * sizeof(double)) + round64(coefficients * sizeof(double)) + round64(bands * sizeof(double));
}

static void store(dspfn_mel *T, uint32_t band, uint32_t k, double w) {
  if (T->count[band] == 0) {
    T->first[band] = k;
    T->offset[band] = band == 0 ? 0 : T->offset[band - 1] + T->count[band - 1];
  }
  T->weights[T->offset[band] + T->count[band]++] = w;
}

void dspfn_mel_init(dspfn_mel *T, uint32_t size, double sample_rate, uint32_t bands, uint32_t coefficients) {
  unsigned char *at = (unsigned char *)T + round64(sizeof(dspfn_mel));
  T->bands = bands;
  T->coefficients = coefficients;
  T->first = (uint32_t *)at;
  at += round64(bands * sizeof(uint32_t));
  T->count = (uint32_t *)at;
  at += round64(bands * sizeof(uint32_t));
  T->offset = (uint32_t *)at;
  at += round64(bands * sizeof(uint32_t));
  T->weights = (double *)at;
  at += round64(2 * ((size_t)size / 2 + 1) * sizeof(double));
  T->dct = (double *)at;
  at += round64((size_t)coefficients * bands * sizeof(double));
  T->scale = (double *)at;
  at += round64(coefficients * sizeof(double));
  T->logs = (double *)at;
  uint32_t counts[DSPFN_MEL_MAX_BANDS];
  for (uint32_t m = 0; m < bands; m++) T->count[m] = 0;
  walk(T, size, sample_rate, bands, counts, store); /* every band has a bin: checked before init */
  for (uint32_t j = 0; j < coefficients; j++) {
    for (uint32_t m = 0; m < bands; m++) {
      double s, c;
      dspfn_sincos2pi((uint64_t)j * (2 * m + 1), 4 * (uint64_t)bands, &s, &c);
      T->dct[(size_t)j * bands + m] = c;
    }
    T->scale[j] = j == 0 ? sqrt(1.0 / bands) : sqrt(2.0 / bands);
  }
}

void dspfn_mel_logs(const dspfn_mel *T, const double *power) {
  for (uint32_t m = 0; m < T->bands; m++) {
    const double *w = T->weights + T->offset[m], *p = power + T->first[m];
    double sum = 0;
    for (uint32_t j = 0; j < T->count[m]; j++) sum += w[j] * p[j];
    T->logs[m] = dspfn_ln(sum + 1e-10);
  }
}

int dspfn_mel_check(const char *name, const double *params, uint32_t in_channels, dspfn_msg *why) {
  const int status = dspfn_spectral_check(name, params[0], params[1], DSPFN_WINDOW_HANN, in_channels, why);
  if (status != DSPFN_OK) return status;
  if (!(params[2] > 0 && params[2] <= 1e9)) return dspfn_fail(why, DSPFN_E_ARG, "%s needs a sampleRate > 0 and <= 1e9", name);
  if (!dspfn_whole(params[3], 1, DSPFN_MEL_MAX_BANDS)) return dspfn_fail(why, DSPFN_E_ARG, "%s needs 1..%u melBands", name, DSPFN_MEL_MAX_BANDS);
  const int empty = dspfn_mel_empty_band((uint32_t)params[0], params[2], (uint32_t)params[3]);
  if (empty >= 0) return dspfn_fail(why, DSPFN_E_ARG, "%s: mel band %d holds no FFT bin (use a larger size or fewer melBands)", name, empty);
  return DSPFN_OK;
}
