/*
 * movingAverage and rms: the C counterpart of core/dsp/stages/families/moving-window/moving-window.kernel.ts.
 *
 * Every path reproduces the TypeScript kernel bit for bit (outputs and snapshot bytes):
 *   - scalar: the TypeScript loop, per channel, in the same float64 operation order;
 *   - channels >= 2: the same per-channel recursion, one channel per float64 SIMD lane (lanes never
 *     mix, so each lane performs exactly the scalar operations);
 *   - one channel: the recursion s[n] = (s[n-1] - old[n]) + x[n] has no parallelism, so blocks are
 *     summed with a SIMD prefix scan of v[n] - v[n-W] instead, but only when a cheap test proves
 *     that every partial sum of the block is exact in float64 (see mw_block_is_exact). Exact sums
 *     do not depend on the order of additions, so the scan equals the TypeScript result; blocks that
 *     fail the test run the sequential recursion;
 *   - rms with window <= DSPFN_MW_DIRECT_MAX is defined without a running sum (each output sums its
 *     own window, oldest first; see mw_direct_blocks), so lanes compute consecutive outputs;
 *   - NEON replaces the division by W with a multiplication and recomputes the rare outputs where
 *     that could round differently (see MIDPOINT_LOW).
 * layers/dsp/README.md states the bounds and how the tests check them.
 */
/*
 * Files: moving_window.h (this: state, shared always-inline loops), moving_window.c (init, scalar
 * path, dispatch, snapshots), direct.h (direct rms in blocks), single.h (the one-channel block
 * path), x86.c (SSE2, AVX2), neon.c (NEON). The stages: stages/movingAverage.c, stages/rms.c.
 */
#ifndef DSPFN_MOVING_WINDOW_H
#define DSPFN_MOVING_WINDOW_H

#include <math.h>
#include <string.h>

#include "common/stage.h"

/* Mirrors RESYNC_INTERVAL in core/dsp/stages/families/moving-window/moving-window.kernel.ts. */
#define DSPFN_MW_RESYNC_INTERVAL 65536u
/* Mirrors DIRECT_WINDOW_MAX: rms windows up to this length sum each output's window directly. */
#define DSPFN_MW_DIRECT_MAX 8u
/* Mirrors MAX_WINDOW in moving-window.options.ts. */
#define DSPFN_MW_MAX_WINDOW 1048576u
#define DSPFN_MW_MAX_CHANNELS 4096u

typedef struct {
  uint32_t channels;
  uint32_t window;
  int squared;
  uint64_t *counts; /* samples seen, per channel */
  double *sums;     /* running sum (of squares for rms), per channel; unused in the direct rms mode */
  /* Slot-major, ring[slot * channels + c], so the channels of one frame are adjacent and load as
   * one vector. Snapshots use the TypeScript channel-major order. */
  float *ring;
  /* One-channel path: blocks left to run sequentially after an inexact one. A speed hint only,
   * never part of a snapshot. */
  uint32_t inexact_backoff;
} dspfn_mw_t;

/* The whole state block (struct and arrays) for check/init. */
size_t dspfn_mw_mem_bytes(uint32_t channels, uint32_t window);
int dspfn_mw_init(dspfn_mw_t *S, uint32_t channels, uint32_t window, int squared, void *mem, size_t mem_bytes);
/* src and dst hold `frames` interleaved frames of `channels`; dst may equal src. */
int dspfn_mw_process(dspfn_mw_t *S, const float *src, float *dst, size_t frames, dspfn_simd simd);
int dspfn_mw_process_scalar(dspfn_mw_t *S, const float *src, float *dst, size_t frames);
size_t dspfn_mw_snapshot_bytes(const dspfn_mw_t *S);
int dspfn_mw_snapshot(const dspfn_mw_t *S, uint8_t *out, size_t out_bytes);
/* Writes the TypeScript kernel's SnapshotError text to *why on failure. */
int dspfn_mw_restore(dspfn_mw_t *S, const uint8_t *in, size_t in_bytes, dspfn_msg *why);
/* Test hook: the SIMD output step alone, on given float64 sums. */
int dspfn_mw_test_outputs(const double *s, float *dst, size_t m, double n, int squared, dspfn_simd simd);

/* The ops adapters behind stages/movingAverage.c and stages/rms.c (params [window]). */
int dspfn_mw_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why,
                   const char *name);
int dspfn_mw_init_block(void *mem, const double *params, uint32_t in_channels, int squared);
int dspfn_mw_ops_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_mw_ops_snapshot_bytes(const void *state);
int dspfn_mw_ops_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_mw_ops_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);
int dspfn_mw_ops_test_hook(const void *state, const double *args, size_t n_args, float *out, size_t n_out, dspfn_simd simd);

/* Shared by the paths (moving_window.c). */
double dspfn_mw_window_sum(const dspfn_mw_t *S, uint32_t c);
void dspfn_mw_direct_scalar_all(dspfn_mw_t *S, const float *src, float *dst, size_t frames);
#if defined(__x86_64__)
void dspfn_mw_process_sse2(dspfn_mw_t *S, const float *src, float *dst, size_t frames);
void dspfn_mw_process_avx2(dspfn_mw_t *S, const float *src, float *dst, size_t frames);
void dspfn_mw_finish_sse2(const double *s, float *dst, size_t m, double n, int squared);
void dspfn_mw_finish_avx2(const double *s, float *dst, size_t m, double n, int squared);
#endif
#if defined(__aarch64__)
void dspfn_mw_process_neon(dspfn_mw_t *S, const float *src, float *dst, size_t frames);
void dspfn_mw_finish_neon(const double *s, float *dst, size_t m, double n, int squared);
#endif

#define RESYNC ((uint64_t)DSPFN_MW_RESYNC_INTERVAL)

static inline float mw_out(double sum, double n, int squared) {
  return squared ? (float)sqrt((sum > 0 ? sum : 0) / n) : (float)(sum / n);
}

/* ---------------------------------------------------------------------------------------------
 * Direct rms (window <= DSPFN_MW_DIRECT_MAX), as runSquaresDirect() in TypeScript: each output's
 * sum of squares over its own window of m = min(count, W) samples, added in float64 from the
 * oldest sample to the newest, starting from 0. Squares are >= +0 (or NaN), so 0 + q == q and a
 * sum may start from its first square. No running sum, no resync: the outputs are independent,
 * and the SIMD paths compute several per vector (lanes = outputs or channels), each lane adding
 * in the same order, so every path gives the scalar bits.
 * ------------------------------------------------------------------------------------------- */

static inline int mw_is_direct(const dspfn_mw_t *S) {
  return S->squared && S->window <= DSPFN_MW_DIRECT_MAX;
}


/* One channel of the direct mode, one sample at a time: the TypeScript loop. */
DSPFN_INLINE void mw_channel_direct(dspfn_mw_t *S, uint32_t c, const float *src, float *dst,
                                    size_t frames) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  float *ring = S->ring + c;
  uint64_t count = S->counts[c];
  uint32_t slot = (uint32_t)(count % W);
  for (size_t f = 0; f < frames; f++) {
    ring[slot * C] = src[f * C + c];
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    const uint32_t m = count < W ? (uint32_t)count : W;
    uint32_t k = m == W ? slot : (uint32_t)((count - m) % W);
    double sum = 0;
    for (uint32_t j = 0; j < m; j++) {
      const double v = ring[k * C];
      sum += v * v;
      if (++k == W) k = 0;
    }
    dst[f * C + c] = mw_out(sum, (double)m, 1);
  }
  S->counts[c] = count;
}

/* One channel, sequentially: the TypeScript loop. */
DSPFN_INLINE void mw_channel_scalar(dspfn_mw_t *S, uint32_t c, const float *src, float *dst,
                              size_t frames) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring + c;
  uint64_t count = S->counts[c];
  double sum = S->sums[c];
  uint32_t slot = (uint32_t)(count % W);
  uint64_t to_resync = RESYNC - count % RESYNC;
  for (size_t f = 0; f < frames; f++) {
    const float x = src[f * C + c];
    const double xd = x;
    const double old = ring[slot * C];
    sum = squared ? sum - old * old + xd * xd : sum - old + xd;
    ring[slot * C] = x;
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--to_resync == 0) {
      sum = dspfn_mw_window_sum(S, c);
      to_resync = RESYNC;
    }
    dst[f * C + c] = mw_out(sum, count < W ? (double)count : (double)W, squared);
  }
  S->counts[c] = count;
  S->sums[c] = sum;
}

static inline int mw_counts_equal(const dspfn_mw_t *S) {
  for (uint32_t c = 1; c < S->channels; c++) {
    if (S->counts[c] != S->counts[0]) return 0;
  }
  return 1;
}

#endif /* DSPFN_MOVING_WINDOW_H */
