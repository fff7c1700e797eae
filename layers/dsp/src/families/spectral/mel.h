/*
 * HTK mel filter banks and the orthonormal DCT-II for melSpectrogram and mfcc, computed at init with
 * the family's own ln/exp/cos so that they equal core/dsp/stages/families/spectral/mel.ts's bit for
 * bit (the weights, the band sums in ascending k, ln(· + 1e-10), the DCT sums in ascending m).
 */
#ifndef DSPFN_MEL_H
#define DSPFN_MEL_H

#include "families/spectral/spectral.h"

#define DSPFN_MEL_MAX_BANDS 512u

typedef struct {
  uint32_t bands, coefficients;
  uint32_t *first, *count, *offset; /* per band: the first bin, how many, where its weights start */
  double *weights;                  /* at most 2·(size/2 + 1): a bin is in two bands at most */
  double *dct;                      /* coefficients × bands */
  double *scale;                    /* coefficients */
  double *logs;                     /* bands: scratch for one channel's frame */
} dspfn_mel;

/* The first band without an FFT bin, or -1. */
int dspfn_mel_empty_band(uint32_t size, double sample_rate, uint32_t bands);
/* Bytes of the tables after the dspfn_mel struct (which the caller places first). */
size_t dspfn_mel_bytes(uint32_t size, uint32_t bands, uint32_t coefficients);
/* Lays out and fills the tables; T is followed by dspfn_mel_bytes of 64-byte aligned memory. */
void dspfn_mel_init(dspfn_mel *T, uint32_t size, double sample_rate, uint32_t bands, uint32_t coefficients);
/* T->logs[m] = ln(Σ w·power + 1e-10). */
void dspfn_mel_logs(const dspfn_mel *T, const double *power);
/* Validates [size, hop, sampleRate, melBands] (params[0…3]) for `name`. */
int dspfn_mel_check(const char *name, const double *params, uint32_t in_channels, dspfn_msg *why);

#endif
