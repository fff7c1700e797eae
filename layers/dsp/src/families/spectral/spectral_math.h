/*
 * sin/cos of 2πk/n, ln and exp for the spectral stages, identical operation for operation to
 * core/dsp/stages/families/spectral/spectral-math.ts (the C library's and V8's versions differ in
 * the last bit now and then; these give the same bits in both). Used once per design value
 * (windows, twiddles, filter banks) and per output bin (decibels, logarithms), never through libm.
 */
#ifndef DSPFN_SPECTRAL_MATH_H
#define DSPFN_SPECTRAL_MATH_H

#include <stdint.h>

/* sin(2πk/n) and cos(2πk/n) for whole k ≥ 0, n ≥ 1 (4k, n < 2^51). */
void dspfn_sincos2pi(uint64_t k, uint64_t n, double *s, double *c);
double dspfn_ln(double x);
double dspfn_exp(double x);

#define DSPFN_DB_PER_NEPER_POWER 4.3429448190325175 /* 10/ln 10 */
#define DSPFN_LN10 2.302585092994046

#endif
