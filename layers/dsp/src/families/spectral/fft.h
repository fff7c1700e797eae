/*
 * The real FFT of the spectral stages: |X_k|², k = 0 … N/2, of X = rfft(window · frame), for N a
 * power of two from 16 to 65,536, in float64. Ours: N real samples packed as M = N/2 complex
 * values, a Stockham autosort radix-4 decimation-in-frequency FFT of size M (a radix-2 or twiddle-
 * free radix-4 last stage), then the even/odd split that turns it into the real transform
 * (core/dsp/stages/families/spectral/fft.ts explains it and is the reference: every path performs
 * its operations on every element in its order, so scalar, SSE2, AVX2 and NEON give its bits).
 *
 * SIMD: butterflies are independent, so lanes hold consecutive butterflies — along q (the Stockham
 * stride) in every stage but the first, along p in the first (s = 1, outputs stored interleaved
 * with lane_store4), and along k in the recombination (the partner M−k loaded reversed).
 *
 * Memory (caller-owned, dspfn_fft_bytes): twiddles W_N^k for k < 3N/4 (1.5·N doubles), the first
 * stage's twiddles contiguous (0.75·N), two complex work buffers (2·N): about 34·N bytes.
 */
#ifndef DSPFN_FFT_H
#define DSPFN_FFT_H

#include <stddef.h>
#include <stdint.h>

#include "common/stage.h"

typedef struct {
  uint32_t size; /* N */
  double *twr, *twi;   /* W_N^k = twr[k] + i·twi[k], k < 3N/4 */
  double *first;       /* the first stage's W_M^{jp}, p < M/4: w1r w1i w2r w2i w3r w3i, M/4 each */
  double *are, *aim, *bre, *bim; /* work: M each */
} dspfn_fft;

/* Bytes dspfn_fft_init lays out (a multiple of 64). */
size_t dspfn_fft_bytes(uint32_t size);
/* Lays out and fills the tables in mem (64-byte aligned, dspfn_fft_bytes(size) bytes). */
void dspfn_fft_init(dspfn_fft *F, void *mem, uint32_t size);
/* power[k] = |X_k|², k = 0 … N/2, of x[0 … N) · window[0 … N). */
void dspfn_fft_power(const dspfn_fft *F, const float *x, const double *window, double *power, dspfn_simd simd);

#endif
