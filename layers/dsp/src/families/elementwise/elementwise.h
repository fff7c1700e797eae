/*
 * What the elementwise stages share (stages/gain.c, rectify.c, square.c, clip.c: no state; diff.c,
 * integrate.c: one float64 per channel): the state block and the snapshot codec, so each stage file
 * holds only its params, its check and its lane step. The C counterpart of
 * core/dsp/stages/families/elementwise/elementwise.kernel.ts.
 *
 * Channel state bytes: u32 channels · u32 0 · f64 value per channel.
 */
#ifndef DSPFN_ELEMENTWISE_H
#define DSPFN_ELEMENTWISE_H

#include "common/stage.h"

#define DSPFN_EW_MAX_CHANNELS 4096u

/* A stateless lane-driver stage (stages/gain.c, rectify.c, square.c, clip.c) around its own params, check
 * and init: DSPFN_EW_STATELESS_STATE(stage) declares its state block (after the lanes.h include),
 * DSPFN_EW_STATELESS_OPS(stage) its process, restore and ops (after init). */
#define DSPFN_EW_STATELESS_STATE(stage) \
  typedef struct {                      \
    stage##_params p;                   \
    uint32_t channels;                  \
  } stage##_state

#define DSPFN_EW_STATELESS_OPS(stage)                                                                                   \
  static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) { \
    stage##_state *S = (stage##_state *)state;                                                                        \
    stage##_lanes(&S->p, NULL, S->channels, src, dst, frames, simd);                                                  \
    out->frames = frames;                                                                                             \
    return DSPFN_OK;                                                                                                  \
  }                                                                                                                   \
  DSPFN_STATELESS_STAGE_OPS(stage, process)

/* ---- one float64 per channel ---- */

/* Put first in a stage's state struct; `value` points just after the 64-byte-rounded header. */
typedef struct {
  uint32_t channels;
  double *value;
} dspfn_ew_channels;

static inline size_t dspfn_ew_header(size_t struct_bytes) { return (struct_bytes + 63) & ~(size_t)63; }

static inline int dspfn_ew_check_channels(const char *stage, uint32_t in_channels, size_t struct_bytes, dspfn_shape *shape,
                                          dspfn_msg *why) {
  if (in_channels < 1 || in_channels > DSPFN_EW_MAX_CHANNELS) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s takes 1..%u channels", stage, DSPFN_EW_MAX_CHANNELS);
  }
  shape->out_channels = in_channels;
  shape->mem_bytes = dspfn_ew_header(struct_bytes) + (size_t)in_channels * sizeof(double);
  return DSPFN_OK;
}

/* Zeroes the whole block and lays out the channel values after the header. */
static inline void dspfn_ew_init_channels(void *mem, size_t struct_bytes, dspfn_ew_channels *ch, uint32_t in_channels) {
  const size_t header = dspfn_ew_header(struct_bytes);
  memset(mem, 0, header + (size_t)in_channels * sizeof(double));
  ch->channels = in_channels;
  ch->value = (double *)((unsigned char *)mem + header);
}

static inline size_t dspfn_ew_channels_bytes(const dspfn_ew_channels *ch) { return 8 + 8 * (size_t)ch->channels; }

static inline int dspfn_ew_channels_snapshot(const dspfn_ew_channels *ch, uint8_t *out, size_t out_bytes) {
  if (out_bytes != dspfn_ew_channels_bytes(ch)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_u32(dspfn_put_u32(out, ch->channels), 0);
  for (uint32_t c = 0; c < ch->channels; c++) p = dspfn_put_f64(p, ch->value[c]);
  return DSPFN_OK;
}

/* Every float64 is a state some input produces (NaN, ±Infinity): only the shape is checked. */
static inline int dspfn_ew_channels_restore(const char *stage, dspfn_ew_channels *ch, const uint8_t *in, size_t in_bytes,
                                            dspfn_msg *why) {
  const size_t expected = dspfn_ew_channels_bytes(ch);
  if (in_bytes < 4) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", stage, in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in);
  if (channels != ch->channels) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u channel(s), stage has %u", stage, channels, ch->channels);
  }
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", stage, in_bytes, expected);
  if (dspfn_get_u32(in + 4) != 0) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state has a non-zero reserved word", stage);
  for (uint32_t c = 0; c < channels; c++) ch->value[c] = dspfn_get_f64(in + 8 + 8 * (size_t)c);
  return DSPFN_OK;
}

#endif /* DSPFN_ELEMENTWISE_H */
