/* The window features' state block and snapshot codec (window_features.h). */
#include "families/window_features/window_features.h"

#define WF_HEADER ((sizeof(dspfn_wf_t) + 63) & ~(size_t)63)

static size_t wf_mem_bytes(uint32_t C, uint32_t W, uint32_t H, uint32_t K) {
  return WF_HEADER + (size_t)K * ((size_t)W + 1) * C * sizeof(double) + (size_t)K * W * C * sizeof(double) + (size_t)K * C * sizeof(double) +
         ((size_t)W + H) * C * sizeof(float);
}

int dspfn_wf_check(const char *name, uint32_t window, uint32_t min_window, uint32_t in_channels, uint32_t history, uint32_t sums,
                   dspfn_shape *shape, dspfn_msg *why) {
  if (window < min_window || window > DSPFN_WF_MAX_WINDOW) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs a whole window in %u..%u", name, min_window, DSPFN_WF_MAX_WINDOW);
  }
  if (in_channels < 1 || in_channels > DSPFN_WF_MAX_CHANNELS) return dspfn_fail(why, DSPFN_E_ARG, "%s takes 1..%u channels", name, DSPFN_WF_MAX_CHANNELS);
  if ((uint64_t)window * in_channels > DSPFN_WF_MAX_SAMPLES) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs window \xc3\x97 channels at most %u, but it is %u \xc3\x97 %u", name, DSPFN_WF_MAX_SAMPLES, window, in_channels);
  }
  shape->mem_bytes = wf_mem_bytes(in_channels, window, history, sums);
  return DSPFN_OK;
}

void dspfn_wf_init(void *mem, uint32_t C, uint32_t W, uint32_t H, uint32_t K) {
  memset(mem, 0, wf_mem_bytes(C, W, H, K));
  dspfn_wf_t *S = (dspfn_wf_t *)mem;
  S->channels = C;
  S->window = W;
  S->history = H;
  S->sums = K;
  S->ring_len = W + H;
  S->count = 0;
  S->q = (double *)((unsigned char *)mem + WF_HEADER);
  S->t = S->q + (size_t)K * ((size_t)W + 1) * C;
  S->p = S->t + (size_t)K * W * C;
  S->ring = (float *)(S->p + (size_t)K * C);
}

/* As WindowFeatureKernel.snapshot(): u32 channels · u32 window · f64 count · per channel
 * f32 ring[W + H] (slot order). */
size_t dspfn_wf_snapshot_bytes(const dspfn_wf_t *S) { return 16 + 4 * (size_t)S->channels * S->ring_len; }

int dspfn_wf_snapshot(const dspfn_wf_t *S, uint8_t *out, size_t out_bytes) {
  if (out_bytes != dspfn_wf_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  const size_t C = S->channels, R = S->ring_len;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), S->window), (double)S->count);
  for (size_t c = 0; c < C; c++) {
    for (size_t k = 0; k < R; k++, p += 4) memcpy(p, &S->ring[k * C + c], 4);
  }
  return DSPFN_OK;
}

int dspfn_wf_restore(const char *name, dspfn_wf_t *S, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  const size_t expected = dspfn_wf_snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in), window = dspfn_get_u32(in + 4);
  if (channels != S->channels || window != S->window) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u channel(s) \xc3\x97 window %u, stage has %u \xc3\x97 %u", name, channels,
                      window, S->channels, S->window);
  }
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state holds a sample count that is not a whole number >= 0", name);
  const size_t C = channels, R = S->ring_len;
  const uint8_t *p = in + 16;
  for (size_t c = 0; c < C; c++) {
    for (size_t k = 0; k < R; k++, p += 4) memcpy(&S->ring[k * C + c], p, 4);
  }
  S->count = (uint64_t)count;
  return DSPFN_OK;
}
