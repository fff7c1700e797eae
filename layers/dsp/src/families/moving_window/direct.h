/*
 * Direct rms in blocks, shared by the SIMD paths (x86.c, neon.c): each path passes its own kernel
 * for the outputs past the warm-up.
 */
#ifndef DSPFN_MW_DIRECT_H
#define DSPFN_MW_DIRECT_H

#include "families/moving_window/moving_window.h"

/* float64 squares buffer of the direct SIMD paths: 16 KB, stays in L1 (on the stack). */
#define MW_DIRECT_Q 2048
/* Fewest frames per block: with many channels, they are done in chunks of channels so that
 * W - 1 + this many frames of a chunk fit in the buffer. */
#define MW_DIRECT_MIN_FRAMES 16

/* Outputs i < m of K interleaved channels (frame-major) from float64 squares q: output i sums
 * q[i], q[i + K], ..., q[i + (W - 1) K] in that order, i.e. its window oldest to newest (n = W). */
typedef void (*mw_direct_fn)(const double *q, float *dst, size_t m, uint32_t W, size_t K);

static inline void mw_direct_tail(const double *q, float *dst, size_t m, uint32_t W, size_t K) {
  for (size_t i = 0; i < m; i++) {
    double s = q[i];
    for (uint32_t j = 1; j < W; j++) s += q[i + j * K];
    dst[i] = mw_out(s, (double)W, 1);
  }
}

/* The direct mode in blocks, any number of channels (equal counts; else the scalar loop): squares
 * of the W - 1 previous frames and of the block in one float64 array, then `run` (a SIMD kernel;
 * lanes are consecutive outputs, whatever their channel) for the outputs past the warm-up. */
DSPFN_INLINE void mw_direct_blocks(dspfn_mw_t *S, const float *src, float *dst, size_t frames,
                                   mw_direct_fn run) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  for (uint32_t c = 1; c < C; c++) {
    if (S->counts[c] != S->counts[0]) {
      dspfn_mw_direct_scalar_all(S, src, dst, frames);
      return;
    }
  }
  const uint64_t count0 = S->counts[0];
  size_t chunk = MW_DIRECT_Q / (W - 1 + MW_DIRECT_MIN_FRAMES);
  if (chunk > C) chunk = C;
  double q[MW_DIRECT_Q];
  float staged[MW_DIRECT_Q];
  for (size_t c0 = 0; c0 < C; c0 += chunk) {
    const size_t K = C - c0 < chunk ? C - c0 : chunk; /* channels c0 .. c0 + K - 1 */
    const size_t B = MW_DIRECT_Q / K - (W - 1);         /* frames per block */
    float *ring = S->ring + c0;
    uint64_t count = count0;
    for (size_t done = 0; done < frames;) {
      const size_t m = frames - done < B ? frames - done : B;
      const float *x = src + done * C + c0;
      /* q[(W - 1 + f) K + k] = x[f]^2 of channel c0 + k; rows above W - 1: the previous frames. */
      uint32_t h = (uint32_t)((count + 1) % W);
      for (uint32_t r = 0; r + 1 < W; r++) {
        for (size_t k = 0; k < K; k++) {
          const double v = ring[h * C + k];
          q[r * K + k] = v * v;
        }
        h = h + 1 == W ? 0 : h + 1;
      }
      double *qx = q + (size_t)(W - 1) * K;
      if (K == C) {
        for (size_t i = 0; i < m * K; i++) {
          const double v = x[i];
          qx[i] = v * v;
        }
      } else {
        for (size_t f = 0; f < m; f++) {
          for (size_t k = 0; k < K; k++) {
            const double v = x[f * C + k];
            qx[f * K + k] = v * v;
          }
        }
      }
      /* The block's last min(m, W) frames replace the oldest ones in the ring, before dst (which
       * may be src) is written. */
      const size_t keep = m < W ? m : W;
      uint32_t at = (uint32_t)((count + m - keep) % W);
      for (size_t r = m - keep; r < m; r++) {
        memcpy(ring + at * C, x + r * C, K * sizeof(float));
        at = at + 1 == W ? 0 : at + 1;
      }
      float *out = K == C ? dst + done * C : staged;
      /* Warm-up (once per stream): frame f averages the count + f + 1 < W samples seen. */
      size_t f = 0;
      for (; f < m && count + f + 1 < W; f++) {
        const uint32_t mi = (uint32_t)(count + f + 1);
        for (size_t k = 0; k < K; k++) {
          double s = 0;
          for (uint32_t j = W - mi; j < W; j++) s += q[(f + j) * K + k];
          out[f * K + k] = mw_out(s, (double)mi, 1);
        }
      }
      run(q + f * K, out + f * K, (m - f) * K, W, K);
      if (K != C) {
        for (size_t g = 0; g < m; g++) memcpy(dst + (done + g) * C + c0, staged + g * K, K * sizeof(float));
      }
      count += m;
      done += m;
    }
  }
  for (uint32_t c = 0; c < C; c++) S->counts[c] = count0 + frames;
}



#endif /* DSPFN_MW_DIRECT_H */
