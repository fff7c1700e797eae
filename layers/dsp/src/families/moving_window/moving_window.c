/*
 * movingAverage and rms: state, the scalar path (the TypeScript loop), dispatch to the SIMD paths
 * and the snapshot codec. See moving_window.h.
 */
#include "families/moving_window/moving_window.h"

size_t dspfn_mw_mem_bytes(uint32_t channels, uint32_t window) {
  return (size_t)channels * (sizeof(uint64_t) + sizeof(double)) +
         (size_t)channels * (size_t)window * sizeof(float);
}

int dspfn_mw_init(dspfn_mw_t *S, uint32_t channels, uint32_t window, int squared, void *mem,
                  size_t mem_bytes) {
  if (channels < 1 || channels > DSPFN_MW_MAX_CHANNELS || window < 1 ||
      window > DSPFN_MW_MAX_WINDOW) {
    return DSPFN_E_ARG;
  }
  const size_t need = dspfn_mw_mem_bytes(channels, window);
  if (mem == NULL || ((uintptr_t)mem % sizeof(double)) != 0 || mem_bytes < need) return DSPFN_E_MEM;
  memset(mem, 0, need);
  S->channels = channels;
  S->window = window;
  S->squared = squared != 0;
  S->counts = (uint64_t *)mem;
  S->sums = (double *)(S->counts + channels);
  S->ring = (float *)(S->sums + channels);
  S->inexact_backoff = 0;
  return DSPFN_OK;
}

/* The periodic resync: the window's sum in ring-slot order, as windowSum() in TypeScript. */
double dspfn_mw_window_sum(const dspfn_mw_t *S, uint32_t c) {
  const size_t C = S->channels;
  const float *r = S->ring + c;
  double sum = 0;
  if (S->squared) {
    for (uint32_t k = 0; k < S->window; k++) {
      const double v = r[k * C];
      sum += v * v;
    }
  } else {
    for (uint32_t k = 0; k < S->window; k++) sum += (double)r[k * C];
  }
  return sum;
}

/* The direct sum of squares at the last sample of channel c (0 before the first): the snapshot's
 * sum in the direct mode. */
static double mw_direct_sum(const dspfn_mw_t *S, uint32_t c) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const uint64_t count = S->counts[c];
  const uint32_t m = count < W ? (uint32_t)count : W;
  uint32_t k = (uint32_t)((count - m) % W);
  double sum = 0;
  for (uint32_t j = 0; j < m; j++) {
    const double v = S->ring[k * C + c];
    sum += v * v;
    if (++k == W) k = 0;
  }
  return sum;
}

void dspfn_mw_direct_scalar_all(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  for (uint32_t c = 0; c < S->channels; c++) mw_channel_direct(S, c, src, dst, frames);
}

int dspfn_mw_process_scalar(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    dspfn_mw_direct_scalar_all(S, src, dst, frames);
    return DSPFN_OK;
  }
  for (uint32_t c = 0; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
  return DSPFN_OK;
}

int dspfn_mw_process(dspfn_mw_t *S, const float *src, float *dst, size_t frames, dspfn_simd simd) {
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      dspfn_mw_process_avx2(S, src, dst, frames);
      return DSPFN_OK;
    case DSPFN_SIMD_SSE2:
      dspfn_mw_process_sse2(S, src, dst, frames);
      return DSPFN_OK;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      dspfn_mw_process_neon(S, src, dst, frames);
      return DSPFN_OK;
#endif
    default:
      return dspfn_mw_process_scalar(S, src, dst, frames);
  }
}

/* Test hook: the output step alone (y = f32(s / n) or f32(sqrt(max(s, 0) / n))) on given sums,
 * so tests can aim sums at float32 rounding midpoints, which real signals reach too rarely. */
int dspfn_mw_test_outputs(const double *s, float *dst, size_t m, double n, int squared, dspfn_simd simd) {
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      dspfn_mw_finish_avx2(s, dst, m, n, squared);
      return DSPFN_OK;
    case DSPFN_SIMD_SSE2:
      dspfn_mw_finish_sse2(s, dst, m, n, squared);
      return DSPFN_OK;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      dspfn_mw_finish_neon(s, dst, m, n, squared);
      return DSPFN_OK;
#endif
    default:
      for (size_t i = 0; i < m; i++) dst[i] = mw_out(s[i], n, squared);
      return DSPFN_OK;
  }
}

/* ---------------------------------------------------------------------------------------------
 * State bytes, as MovingWindowKernel.snapshot():
 *   u32 channels · u32 window · per channel: f64 count · f64 sum · f32 ring[window] (slot order)
 * ------------------------------------------------------------------------------------------- */

size_t dspfn_mw_snapshot_bytes(const dspfn_mw_t *S) {
  return 8 + (size_t)S->channels * (16 + 4 * (size_t)S->window);
}

int dspfn_mw_snapshot(const dspfn_mw_t *S, uint8_t *out, size_t out_bytes) {
  if (out_bytes != dspfn_mw_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  const size_t C = S->channels, W = S->window;
  memcpy(out, &S->channels, 4);
  memcpy(out + 4, &S->window, 4);
  uint8_t *p = out + 8;
  for (size_t c = 0; c < C; c++) {
    const double count = (double)S->counts[c];
    memcpy(p, &count, 8);
    const double sum = mw_is_direct(S) ? mw_direct_sum(S, (uint32_t)c) : S->sums[c];
    memcpy(p + 8, &sum, 8);
    p += 16;
    for (size_t k = 0; k < W; k++, p += 4) memcpy(p, &S->ring[k * C + c], 4);
  }
  return DSPFN_OK;
}

int dspfn_mw_restore(dspfn_mw_t *S, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  const size_t expected = dspfn_mw_snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "moving window state has %zu bytes, expected %zu", in_bytes, expected);
  const uint32_t channels = dspfn_get_u32(in), window = dspfn_get_u32(in + 4);
  /* The TypeScript kernel's words, so both backends report a foreign state alike. */
  if (channels != S->channels || window != S->window) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "moving window state is for %u channel(s) \xc3\x97 window %u, stage has %u \xc3\x97 %u",
                      channels, window, S->channels, S->window);
  }
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "moving window state has %zu bytes, expected %zu", in_bytes, expected);
  const size_t C = channels, W = window, stride = 16 + 4 * W;
  /* Validate everything before changing anything, so a bad snapshot leaves the state intact. */
  for (size_t c = 0; c < C; c++) {
    /* Counts are whole sample numbers; slot and warm-up are derived from them. */
    if (!dspfn_valid_count(dspfn_get_f64(in + 8 + c * stride))) {
      return dspfn_fail(why, DSPFN_E_STATE_VALUE, "moving window state holds a sample count that is not a whole number >= 0");
    }
  }
  const uint8_t *p = in + 8;
  for (size_t c = 0; c < C; c++) {
    S->counts[c] = (uint64_t)dspfn_get_f64(p);
    S->sums[c] = dspfn_get_f64(p + 8);
    p += 16;
    for (size_t k = 0; k < W; k++, p += 4) memcpy(&S->ring[k * C + c], p, 4);
  }
  S->inexact_backoff = 0;
  return DSPFN_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The ops of movingAverage and rms (stages/movingAverage.c, stages/rms.c): params [window]. The
 * state block is the struct, then (8-byte aligned) counts, sums and the ring.
 * ------------------------------------------------------------------------------------------- */

#define MW_HEADER ((sizeof(dspfn_mw_t) + 63) & ~(size_t)63)

int dspfn_mw_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why,
                   const char *name) {
  if (n_params != 1 || !dspfn_whole(params[0], 1, DSPFN_MW_MAX_WINDOW) || in_channels < 1 ||
      in_channels > DSPFN_MW_MAX_CHANNELS) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs a whole window in 1..%u and 1..%u channels", name, DSPFN_MW_MAX_WINDOW,
                      DSPFN_MW_MAX_CHANNELS);
  }
  shape->out_channels = in_channels;
  shape->mem_bytes = MW_HEADER + dspfn_mw_mem_bytes(in_channels, (uint32_t)params[0]);
  return DSPFN_OK;
}

int dspfn_mw_init_block(void *mem, const double *params, uint32_t in_channels, int squared) {
  const uint32_t window = (uint32_t)params[0];
  return dspfn_mw_init((dspfn_mw_t *)mem, in_channels, window, squared, (unsigned char *)mem + MW_HEADER,
                       dspfn_mw_mem_bytes(in_channels, window));
}

int dspfn_mw_ops_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  const int status = dspfn_mw_process((dspfn_mw_t *)state, src, dst, frames, simd);
  out->frames = status == DSPFN_OK ? frames : 0;
  return status;
}

size_t dspfn_mw_ops_snapshot_bytes(const void *state) { return dspfn_mw_snapshot_bytes((const dspfn_mw_t *)state); }

int dspfn_mw_ops_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  return dspfn_mw_snapshot((const dspfn_mw_t *)state, out, out_bytes);
}

int dspfn_mw_ops_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  return dspfn_mw_restore((dspfn_mw_t *)state, in, in_bytes, why);
}

/* args: [n, sums…]; out receives one output per sum, from the active path's output step. */
int dspfn_mw_ops_test_hook(const void *state, const double *args, size_t n_args, float *out, size_t n_out, dspfn_simd simd) {
  if (n_args < 1 || !(args[0] >= 1) || n_out < n_args - 1) return DSPFN_E_ARG;
  return dspfn_mw_test_outputs(args + 1, out, n_args - 1, args[0], ((const dspfn_mw_t *)state)->squared, simd);
}
