/*
 * select({ channels }): y[n][j] = x[n][channels[j]], the listed input channels in the listed order.
 * The C counterpart of core/dsp/stages/select/select.kernel.ts. A copy, so every path is the same
 * code (float loads and stores: bit for bit); no state (an empty snapshot).
 */
#include "common/stage.h"

#define SELECT_MAX_CHANNELS 4096u

typedef struct {
  uint32_t in_channels, out_channels;
  uint32_t *index; /* out_channels input channel indexes */
  float *frame;    /* in place: one frame's outputs, read before any is written */
} select_state;

#define SELECT_HEADER ((sizeof(select_state) + 63) & ~(size_t)63)

/* params: [count, index…] (params.ts packs the array as its length, then its items). */
static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params < 2 || !dspfn_whole(params[0], 1, SELECT_MAX_CHANNELS) || n_params != 1 + (size_t)params[0]) {
    return dspfn_fail(why, DSPFN_E_ARG, "select needs params [count, index…] with 1..%u indexes", SELECT_MAX_CHANNELS);
  }
  if (in_channels < 1) return dspfn_fail(why, DSPFN_E_ARG, "select needs at least one input channel");
  const size_t count = (size_t)params[0];
  for (size_t j = 0; j < count; j++) {
    if (!dspfn_whole(params[1 + j], 0, (double)in_channels - 1)) {
      return dspfn_fail(why, DSPFN_E_ARG, "select needs channel indexes below its input's %u channel(s), but got %g", in_channels, params[1 + j]);
    }
  }
  shape->out_channels = (uint32_t)count;
  shape->mem_bytes = SELECT_HEADER + count * (sizeof(uint32_t) + sizeof(float));
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  select_state *S = (select_state *)mem;
  const uint32_t count = (uint32_t)params[0];
  S->in_channels = in_channels;
  S->out_channels = count;
  S->index = (uint32_t *)((unsigned char *)mem + SELECT_HEADER);
  S->frame = (float *)(S->index + count);
  for (uint32_t j = 0; j < count; j++) S->index[j] = (uint32_t)params[1 + j];
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  (void)simd;
  const select_state *S = (const select_state *)state;
  const size_t C = S->in_channels, R = S->out_channels;
  const uint32_t *index = S->index;
  if (dst == src) {
    /* In place (R <= C): a frame's outputs may cover its own inputs, never a later frame's. */
    float *frame = S->frame;
    for (size_t f = 0; f < frames; f++) {
      for (size_t j = 0; j < R; j++) frame[j] = src[f * C + index[j]];
      memcpy(dst + f * R, frame, R * sizeof(float));
    }
  } else if (R == 1) {
    const uint32_t k = index[0];
    for (size_t f = 0; f < frames; f++) dst[f] = src[f * C + k];
  } else {
    for (size_t f = 0; f < frames; f++) {
      for (size_t j = 0; j < R; j++) dst[f * R + j] = src[f * C + index[j]];
    }
  }
  out->frames = frames;
  return DSPFN_OK;
}

DSPFN_STATELESS_STAGE_OPS(select, process);
