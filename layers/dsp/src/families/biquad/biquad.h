/*
 * The IIR stages (iir, biquad, butterworth, chebyshev1, notch, peakingEq, lowShelf, highShelf): a
 * cascade of second-order sections per channel in float64, the C counterpart of
 * core/dsp/stages/families/biquad/biquad.kernel.ts. Their designs happen in TypeScript (the options
 * schemas), so every stage hands C the same params: [sections, then b0, b1, b2, a1, a2 of each].
 *
 * Two or more channels run each section in direct form I, channels in lanes (the lane driver,
 * common/lanes.h, with this family's loop in biquad_loop.h); one channel runs the look-ahead form
 * (core/dsp/stages/families/biquad/look-ahead.ts), whose samples pair up in lanes (pairs.h). Both
 * follow the TypeScript kernel operation for operation: outputs and snapshots are its bits.
 *
 * State bytes, as BiquadKernel.snapshot(): u32 channels · u32 sections · f64 history[depth ×
 * (sections+1) × channels], slot-major, depth 2 (x[n−1], x[n−2] of each level) for two or more
 * channels and 4 (x[n−1] … x[n−4]) for one; the levels are the input, then each section's output.
 */
#ifndef DSPFN_BIQUAD_H
#define DSPFN_BIQUAD_H

#include "common/stage.h"

/* Mirrors MAX_SECTIONS in core/dsp/stages/families/biquad/biquad.options.ts. */
#define DSPFN_BIQUAD_MAX_SECTIONS 64u
#define DSPFN_BIQUAD_MAX_CHANNELS 4096u

/* The ops adapters every IIR stage file (stages/<name>.c) wires up; `name` is the stage's, for messages. */
int dspfn_biquad_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why,
                       const char *name);
int dspfn_biquad_init(void *mem, const double *params, size_t n_params, uint32_t in_channels);
int dspfn_biquad_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_biquad_snapshot_bytes(const void *state);
int dspfn_biquad_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_biquad_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* The ops table of one IIR stage: everything but the name and check is the family's. */
#define DSPFN_BIQUAD_STAGE(stage)                                                                                        \
  static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) { \
    return dspfn_biquad_check(params, n_params, in_channels, shape, why, #stage);                                      \
  }                                                                                                                     \
  const dspfn_stage_ops dspfn_##stage##_ops = {                                                                         \
      .name = #stage,                                                                                                   \
      .state_version = 0,                                                                                               \
      .check = check,                                                                                                   \
      .init = dspfn_biquad_init,                                                                                        \
      .max_output_frames = NULL,                                                                                        \
      .process = dspfn_biquad_process,                                                                                  \
      .snapshot_bytes = dspfn_biquad_snapshot_bytes,                                                                    \
      .snapshot = dspfn_biquad_snapshot,                                                                                \
      .restore = dspfn_biquad_restore,                                                                                  \
      .test_hook = NULL,                                                                                                \
  }

#endif /* DSPFN_BIQUAD_H */
