/*
 * The rate changers (decimate, interpolate, resample): zero-stuff by up, filter with h, keep every
 * down-th sample, computed polyphase with fir's canonical dot products (families/fir/fir_dot.h).
 * The C counterpart of core/dsp/stages/families/rate/rate.kernel.ts (read it for the math, the
 * phase and the state bytes); each stage file checks its own params and maps them to (up, down, h).
 */
#ifndef DSPFN_RATE_H
#define DSPFN_RATE_H

#include "common/stage.h"

/* Mirrors MAX_FACTOR in core/dsp/stages/families/rate/rate.options.ts. */
#define DSPFN_RATE_MAX_FACTOR 1024u
#define DSPFN_RATE_MAX_CHANNELS 4096u

/* Checks h (n_h finite coefficients, 1 … DSPFN_FIR_MAX_TAPS), up, down and the channels; sets *shape. */
int dspfn_rate_check(const char *name, uint32_t up, uint32_t down, const double *h, size_t n_h, uint32_t in_channels,
                     dspfn_shape *shape, dspfn_msg *why);
/* Lays out the state in mem after a passing check; name is kept for restore's messages. */
int dspfn_rate_init(void *mem, const char *name, uint32_t up, uint32_t down, const double *h, size_t n_h, uint32_t in_channels);

size_t dspfn_rate_max_output_frames(const void *state, size_t in_frames);
int dspfn_rate_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_rate_snapshot_bytes(const void *state);
int dspfn_rate_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_rate_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

#endif /* DSPFN_RATE_H */
