/*
 * The canonical FIR dot product, on every path with the same bits: the C counterpart of
 * core/dsp/stages/families/fir/fir-dot.ts (read it for the order). For fir and every FIR-like stage
 * (the rate changers of the catalogue's second part reuse it with a step between outputs).
 */
#ifndef DSPFN_FIR_DOT_H
#define DSPFN_FIR_DOT_H

#include "common/stage.h"

/* Mirrors MAX_TAPS in core/dsp/stages/fir/fir.options.ts. */
#define DSPFN_FIR_MAX_TAPS 4096u

/*
 * For i in [0, n): dst[i · dst_stride] = f32(dot(g, x + i · step)), where dot sums g[j] · x[j] for
 * j < taps in the canonical order (g: coefficients reversed, x: oldest sample first). The paths:
 * AVX2 four outputs at a time over two 4-lane accumulators each, SSE2 two outputs over four 2-lane
 * accumulators, NEON four outputs over four 2-lane accumulators, scalar eight doubles; every one
 * performs the same float64 operations on each output.
 */
void dspfn_fir_dots(dspfn_simd simd, const double *g, size_t taps, const double *x, size_t step, size_t n, float *dst,
                    size_t dst_stride);

#endif /* DSPFN_FIR_DOT_H */
