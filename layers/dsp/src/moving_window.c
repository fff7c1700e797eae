/*
 * movingAverage and rms: the C counterpart of core/dsp/stages/moving-window.ts.
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
#include <math.h>
#include <string.h>

#include "dspfn_dsp.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

#define RESYNC ((uint64_t)DSPFN_MW_RESYNC_INTERVAL)
/* Forced inline so that helpers shared by all paths are compiled again inside each SIMD wrapper:
 * vectorised for that target, and no SSE-encoded call inside AVX2 code (calling the out-of-line
 * bound test from the AVX2 loop cost 9% of the time of movingAverage). */
#define DSPFN_INLINE static inline __attribute__((always_inline))
/* Samples per block of the one-channel path: scratch fits in L1 and stays on the stack. */
#define MW_BLOCK 512
/* After a block fails the exactness test, run this many blocks sequentially before testing again:
 * a signal that is inexact once (rms of a float signal, typically) usually stays so. */
#define MW_INEXACT_BACKOFF 8

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
static double mw_window_sum(const dspfn_mw_t *S, uint32_t c) {
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

static void mw_direct_scalar_all(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  for (uint32_t c = 0; c < S->channels; c++) mw_channel_direct(S, c, src, dst, frames);
}

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
      mw_direct_scalar_all(S, src, dst, frames);
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
      sum = mw_window_sum(S, c);
      to_resync = RESYNC;
    }
    dst[f * C + c] = mw_out(sum, count < W ? (double)count : (double)W, squared);
  }
  S->counts[c] = count;
  S->sums[c] = sum;
}

int dspfn_mw_process_scalar(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    mw_direct_scalar_all(S, src, dst, frames);
    return DSPFN_OK;
  }
  for (uint32_t c = 0; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
  return DSPFN_OK;
}

static int mw_counts_equal(const dspfn_mw_t *S) {
  for (uint32_t c = 1; c < S->channels; c++) {
    if (S->counts[c] != S->counts[0]) return 0;
  }
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * One-channel block path: exactness test, prefix scan, output.
 * ------------------------------------------------------------------------------------------- */

static inline uint32_t f32_bits(float v) {
  uint32_t u;
  memcpy(&u, &v, sizeof u);
  return u;
}

/* 2^e as a double, saturating to 0 / infinity outside the normal range. */
DSPFN_INLINE double pow2(int e) {
  if (e > 1023) return INFINITY;
  if (e < -1022) return 0.0;
  const uint64_t u = (uint64_t)(e + 1023) << 52;
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* log2 of the largest power of two dividing the float32 |v| (its finest binary digit), plus 277,
 * so it is a small unsigned number; >= 1024 for zero (no constraint). The lowest set mantissa bit
 * is found by converting it to float and reading the exponent, and zero is flagged arithmetically
 * rather than selected, so the calling loop vectorises (a select would make GCC branch around the
 * conversion, which it may not speculate under -ftrapping-math). */
#define QUANTUM_BIAS 277
static inline uint32_t f32_quantum_biased(uint32_t bits) {
  const uint32_t u = bits & 0x7fffffffu;
  const uint32_t e = u >> 23;
  const uint32_t normal = (uint32_t)(e != 0);
  const uint32_t mant = (u & 0x7fffffu) | (normal << 23);
  const uint32_t low = mant & (0u - mant);
  /* 127 + ctz(mant); the value is mant * 2^(max(e,1) - 150). */
  const uint32_t low_exp = f32_bits((float)(int32_t)low) >> 23;
  return (e + (1u - normal) + low_exp) | ((uint32_t)(u == 0) << 10);
}

/* log2 of the finest binary digit of a finite non-zero double. */
DSPFN_INLINE int f64_quantum_exp(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  const int e = (int)((u >> 52) & 0x7ff);
  uint64_t mant = u & ((UINT64_C(1) << 52) - 1);
  if (e != 0) mant |= UINT64_C(1) << 52;
  return (e != 0 ? e : 1) - 1075 + __builtin_ctzll(mant);
}

/*
 * Tells whether the TypeScript recursion over a block, s = (s - old[i]^p) + x[i]^p (p = 1 or 2)
 * starting from s0, is exact at every step, so that a prefix scan of d[i] = x[i]^p - old[i]^p
 * gives the same float64 sums.
 *
 * Why that suffices: if every operand (s0, each x^p, each old^p) is an integer multiple of
 * q = 2^k and every partial sum has magnitude <= 2^53 q, each partial sum is representable, so no
 * addition rounds and any order of summation (the scan) gives the same float64 values.
 * Bound used: |partial sum| <= |s0| + sum|d| + max(|x^p| + |old^p|) <= |s0| + (m+1) 2 A, where A
 * bounds |x^p|, |old^p| from the largest exponent. We require <= 2^52 q, a factor-2 margin
 * that covers the rounding of the bound itself. Squares of float32 are exact in float64 (48-bit
 * mantissas), and so are float32 values, so d[i] is exact under the same bound. The bound is
 * taken from exponents and lowest set bits only, so the test is a vectorised integer pass.
 *
 * In practice: movingAverage blocks of float signals and rms of integer-valued (ADC-like)
 * signals pass; rms of general float signals fails and runs sequentially.
 */
/* Largest |bits| and the minimum of f32_quantum_biased over v. */
DSPFN_INLINE uint32_t f32_scan_quanta(const float *v, size_t n, uint32_t *qmin) {
  uint32_t umax = 0, q = *qmin;
  for (size_t i = 0; i < n; i++) {
    const uint32_t u = f32_bits(v[i]) & 0x7fffffffu;
    umax = umax > u ? umax : u;
    const uint32_t qu = f32_quantum_biased(u);
    q = q < qu ? q : qu;
  }
  *qmin = q;
  return umax;
}

/* Largest |bits| and smallest non-zero |bits| (UINT32_MAX if all are zero): exponents only. */
DSPFN_INLINE uint32_t f32_scan_range(const float *v, size_t n, uint32_t *umin) {
  uint32_t umax = 0, lo = *umin - 1u;
  for (size_t i = 0; i < n; i++) {
    const uint32_t u = f32_bits(v[i]) & 0x7fffffffu;
    umax = umax > u ? umax : u;
    const uint32_t nz = u - 1u; /* zero wraps to UINT32_MAX: arithmetic, not a select, so it vectorises */
    lo = lo < nz ? lo : nz;
  }
  *umin = lo + 1u; /* the start value keeps lo <= UINT32_MAX - 1 */
  return umax;
}

/* The bound test for a block whose values are all < 2^(emax - 126) in magnitude and multiples of
 * 2^q (q = log2 of the finest binary digit; INT32_MAX when all values are zero). */
DSPFN_INLINE int mw_bound_holds(uint32_t emax, int q, size_t m, int squared, double s0) {
  if (emax >= 255 || !isfinite(s0)) return 0; /* infinities and NaN */
  int a = (int)emax - 126;
  if (squared) {
    if (q != INT32_MAX) q *= 2;
    a *= 2;
  }
  if (s0 != 0) {
    const int qs = f64_quantum_exp(s0);
    if (qs < q) q = qs;
  }
  if (q == INT32_MAX) return 1; /* all zero */
  const double bound = fabs(s0) + (double)(m + 1) * pow2(a + 1);
  return bound <= pow2(52 + q);
}

/* `old` holds the first `from_ring` old values; the others are x[i - W], values of x, so only
 * those are scanned besides x. A quick test from exponents alone settles float signals; the
 * exact finest digit (lowest set mantissa bit) is computed only when it fails, which lets
 * integer-valued (ADC-like) signals pass for rms too. */
DSPFN_INLINE int mw_block_is_exact(const float *x, const float *old, size_t from_ring, size_t m,
                                   int squared, double s0) {
  uint32_t umin = UINT32_MAX;
  const uint32_t ux = f32_scan_range(x, m, &umin), uo = f32_scan_range(old, from_ring, &umin);
  const uint32_t emax = (ux > uo ? ux : uo) >> 23;
  const uint32_t emin = umin == UINT32_MAX ? 0 : umin >> 23;
  if (mw_bound_holds(emax, umin == UINT32_MAX ? INT32_MAX : (int)(emin != 0 ? emin : 1) - 150, m, squared, s0)) {
    return 1;
  }
  if (emax >= 255) return 0;
  uint32_t qmin = 2048;
  f32_scan_quanta(x, m, &qmin);
  f32_scan_quanta(old, from_ring, &qmin);
  return mw_bound_holds(emax, qmin >= 1024 ? INT32_MAX : (int)qmin - QUANTUM_BIAS, m, squared, s0);
}

DSPFN_INLINE void mw_block_sequential(const float *x, const float *old, double *s, size_t m,
                                       int squared, double sum) {
  if (squared) {
    for (size_t i = 0; i < m; i++) {
      const double xd = x[i], od = old[i];
      sum = sum - od * od + xd * xd;
      s[i] = sum;
    }
  } else {
    for (size_t i = 0; i < m; i++) {
      sum = sum - (double)old[i] + (double)x[i];
      s[i] = sum;
    }
  }
}

/* The hand-written SIMD pieces of the one-channel path, both returning the last sum and writing
 * y = f32(s / n) or f32(sqrt(max(s, 0) / n)):
 *   exact: for a block that passed mw_block_is_exact, d = x^p - old^p and a prefix scan from s0;
 *   seq:   the TypeScript recursion s = (s - old^p) + x^p, one sample after the other (its
 *          latency, two dependent float64 additions per sample, is the floor of this path), with
 *          the squares and the divisions/square roots done in vectors beside it. */
typedef double (*mw_block_fn)(const float *x, const float *old, float *dst, size_t m, double s0,
                              double n, int squared);

/* Always inlined into each SIMD wrapper below (which passes its own `exact` and `seq`), so its
 * plain loops, the exactness test above all, are vectorised for that instruction set. */
DSPFN_INLINE void mw_single(dspfn_mw_t *S, const float *src, float *dst, size_t frames,
                            mw_block_fn exact, mw_block_fn seq) {
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring;
  uint64_t count = S->counts[0];
  double sum = S->sums[0];
  uint32_t backoff = S->inexact_backoff;
  float xb[MW_BLOCK], ob[MW_BLOCK];
  double sb[MW_BLOCK];
  while (frames > 0) {
    size_t m = frames < MW_BLOCK ? frames : MW_BLOCK;
    const uint64_t to_resync = RESYNC - count % RESYNC;
    if (m > to_resync) m = (size_t)to_resync; /* a resync only ever ends a block */
    const uint32_t slot = (uint32_t)(count % W);
    /* In place, the outputs overwrite samples still needed as old[i] = x[i - W]: work on a copy. */
    const float *x = src;
    if (dst == src) {
      memcpy(xb, src, m * sizeof(float));
      x = xb;
    }
    /* The first k old samples come from the ring, in time order; the rest are x[i - W]. */
    const size_t k = m < W ? m : W;
    const size_t first = k < W - slot ? k : W - slot;
    memcpy(ob, ring + slot, first * sizeof(float));
    memcpy(ob + first, ring, (k - first) * sizeof(float));

    const uint64_t c0 = count;
    if (c0 + 1 >= W) { /* past the warm-up: every output of the block divides by W */
      const mw_block_fn run = backoff == 0 && mw_block_is_exact(x, ob, k, m, squared, sum) ? exact : seq;
      if (run == seq) backoff = backoff == 0 ? MW_INEXACT_BACKOFF : backoff - 1;
      sum = run(x, ob, dst, k, sum, (double)W, squared);
      if (m > k) sum = run(x + k, x, dst + k, m - k, sum, (double)W, squared);
    } else { /* warm-up (once per stream): sequential, dividing by the samples seen so far */
      if (m > k) memcpy(ob + k, x, (m - k) * sizeof(float));
      mw_block_sequential(x, ob, sb, m, squared, sum);
      sum = sb[m - 1];
      for (size_t i = 0; i < m; i++) {
        dst[i] = mw_out(sb[i], c0 + i + 1 < W ? (double)(c0 + i + 1) : (double)W, squared);
      }
    }

    /* The block's last k samples replace the oldest ones in the ring. */
    const size_t i0 = m - k;
    const uint32_t at = (uint32_t)((slot + i0) % W);
    const size_t seg = k < W - at ? k : W - at;
    memcpy(ring + at, x + i0, seg * sizeof(float));
    memcpy(ring, x + i0 + seg, (k - seg) * sizeof(float));

    count += m;
    if (count % RESYNC == 0) {
      sum = mw_window_sum(S, 0);
      dst[m - 1] = mw_out(sum, count < W ? (double)count : (double)W, squared);
    }
    src += m;
    dst += m;
    frames -= m;
  }
  S->counts[0] = count;
  S->sums[0] = sum;
  S->inexact_backoff = backoff;
}

/* Tail of a block, one sample at a time in TypeScript's order (for an exact block any order would
 * give the same sums). */
static inline double mw_block_tail(const float *x, const float *old, float *dst, size_t m,
                                   double s, double n, int squared) {
  for (size_t i = 0; i < m; i++) {
    const double xd = x[i], od = old[i];
    s = squared ? s - od * od + xd * xd : s - od + xd;
    dst[i] = mw_out(s, n, squared);
  }
  return s;
}

/* ---------------------------------------------------------------------------------------------
 * x86-64: SSE2 (baseline) and AVX2 (chosen at run time).
 * ------------------------------------------------------------------------------------------- */
#if defined(__x86_64__)

static inline __m128d sse2_load2(const float *p) {
  return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(const void *)p)));
}
static inline void sse2_store2(float *p, __m128 v) {
  _mm_storel_epi64((__m128i *)(void *)p, _mm_castps_si128(v));
}

static inline __m128d sse2_exact_y(__m128d s, __m128d n, int squared) {
  return squared ? _mm_sqrt_pd(_mm_div_pd(_mm_and_pd(_mm_cmpgt_pd(s, _mm_setzero_pd()), s), n)) : _mm_div_pd(s, n);
}

/* Two outputs as float32 (low half). x86 divides: a reciprocal multiply with the midpoint check
 * that NEON uses (see MIDPOINT_LOW) measured slower than vdivpd on Zen 3. */
static inline __m128 sse2_y(__m128d s, __m128d n, int squared) { return _mm_cvtpd_ps(sse2_exact_y(s, n, squared)); }

/* Two channels c0, c0+1 in the two lanes of a float64 vector: the scalar recursion per lane. */
DSPFN_INLINE void mw_lanes2_sse2(dspfn_mw_t *S, uint32_t c0, const float *src, float *dst,
                                  size_t frames) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring + c0;
  uint64_t count = S->counts[c0];
  __m128d sum = _mm_loadu_pd(S->sums + c0);
  uint32_t slot = (uint32_t)(count % W);
  uint64_t to_resync = RESYNC - count % RESYNC;
  const __m128d nW = _mm_set1_pd((double)W);
  for (size_t f = 0; f < frames; f++) {
    const __m128 xf = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(const void *)(src + f * C + c0)));
    float *r = ring + slot * C;
    const __m128d x = _mm_cvtps_pd(xf);
    const __m128d old = sse2_load2(r);
    sum = squared ? _mm_add_pd(_mm_sub_pd(sum, _mm_mul_pd(old, old)), _mm_mul_pd(x, x))
                  : _mm_add_pd(_mm_sub_pd(sum, old), x);
    sse2_store2(r, xf);
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--to_resync == 0) {
      sum = _mm_setr_pd(mw_window_sum(S, c0), mw_window_sum(S, c0 + 1));
      to_resync = RESYNC;
    }
    const __m128 y = count >= W ? sse2_y(sum, nW, squared)
                                : _mm_cvtpd_ps(sse2_exact_y(sum, _mm_set1_pd((double)count), squared));
    sse2_store2(dst + f * C + c0, y);
  }
  S->counts[c0] = S->counts[c0 + 1] = count;
  _mm_storeu_pd(S->sums + c0, sum);
}

static double mw_exact_sse2(const float *x, const float *old, float *dst, size_t m, double s0,
                            double n, int squared) {
  const __m128d nv = _mm_set1_pd(n), zero = _mm_setzero_pd();
  __m128d carry = _mm_set1_pd(s0);
  size_t i = 0;
  /* Two vectors per step so the loop-carried chain is one add and one shuffle per 4 samples. */
  for (; i + 4 <= m; i += 4) {
    const __m128d xa = sse2_load2(x + i), xb = sse2_load2(x + i + 2);
    const __m128d oa = sse2_load2(old + i), ob = sse2_load2(old + i + 2);
    __m128d a = squared ? _mm_sub_pd(_mm_mul_pd(xa, xa), _mm_mul_pd(oa, oa)) : _mm_sub_pd(xa, oa);
    __m128d b = squared ? _mm_sub_pd(_mm_mul_pd(xb, xb), _mm_mul_pd(ob, ob)) : _mm_sub_pd(xb, ob);
    a = _mm_add_pd(a, _mm_unpacklo_pd(zero, a));
    b = _mm_add_pd(b, _mm_unpacklo_pd(zero, b));
    b = _mm_add_pd(b, _mm_unpackhi_pd(a, a));
    a = _mm_add_pd(a, carry);
    b = _mm_add_pd(b, carry);
    carry = _mm_unpackhi_pd(b, b);
    _mm_storeu_ps(dst + i, _mm_movelh_ps(sse2_y(a, nv, squared), sse2_y(b, nv, squared)));
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, _mm_cvtsd_f64(carry), n, squared);
}

static double mw_seq_sse2(const float *x, const float *old, float *dst, size_t m, double sum,
                          double n, int squared) {
  const __m128d nv = _mm_set1_pd(n);
  size_t i = 0;
  for (; i + 2 <= m; i += 2) {
    const __m128d xv = sse2_load2(x + i), ov = sse2_load2(old + i);
    double a[2], b[2];
    _mm_storeu_pd(a, squared ? _mm_mul_pd(ov, ov) : ov);
    _mm_storeu_pd(b, squared ? _mm_mul_pd(xv, xv) : xv);
    const double s0 = sum - a[0] + b[0], s1 = s0 - a[1] + b[1];
    sse2_store2(dst + i, sse2_y(_mm_setr_pd(s0, s1), nv, squared));
    sum = s1;
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, sum, n, squared);
}

/* Test hook body (dspfn_mw_test_outputs): the output step of the vector loops alone. */
static void mw_finish_sse2(const double *s, float *dst, size_t m, double n, int squared) {
  const __m128d nv = _mm_set1_pd(n);
  size_t i = 0;
  for (; i + 2 <= m; i += 2) sse2_store2(dst + i, sse2_y(_mm_loadu_pd(s + i), nv, squared));
  for (; i < m; i++) dst[i] = mw_out(s[i], n, squared);
}

/* Direct rms: 8 outputs per step in four vectors (independent sums). */
static void mw_direct_sse2(const double *q, float *dst, size_t m, uint32_t W, size_t K) {
  const __m128d nv = _mm_set1_pd((double)W);
  size_t i = 0;
  for (; i + 8 <= m; i += 8) {
    const double *p = q + i;
    __m128d a = _mm_loadu_pd(p), b = _mm_loadu_pd(p + 2), c = _mm_loadu_pd(p + 4), d = _mm_loadu_pd(p + 6);
    for (uint32_t j = 1; j < W; j++) {
      p += K;
      a = _mm_add_pd(a, _mm_loadu_pd(p));
      b = _mm_add_pd(b, _mm_loadu_pd(p + 2));
      c = _mm_add_pd(c, _mm_loadu_pd(p + 4));
      d = _mm_add_pd(d, _mm_loadu_pd(p + 6));
    }
    _mm_storeu_ps(dst + i, _mm_movelh_ps(sse2_y(a, nv, 1), sse2_y(b, nv, 1)));
    _mm_storeu_ps(dst + i + 4, _mm_movelh_ps(sse2_y(c, nv, 1), sse2_y(d, nv, 1)));
  }
  mw_direct_tail(q + i, dst + i, m - i, W, K);
}

static void mw_process_sse2(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    mw_direct_blocks(S, src, dst, frames, mw_direct_sse2);
    return;
  }
  if (S->channels == 1) {
    mw_single(S, src, dst, frames, mw_exact_sse2, mw_seq_sse2);
    return;
  }
  if (!mw_counts_equal(S)) {
    dspfn_mw_process_scalar(S, src, dst, frames);
    return;
  }
  uint32_t c = 0;
  for (; c + 2 <= S->channels; c += 2) mw_lanes2_sse2(S, c, src, dst, frames);
  for (; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
}

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256d avx2_exact_y(__m256d s, __m256d n, int squared) {
  return squared ? _mm256_sqrt_pd(_mm256_div_pd(_mm256_and_pd(_mm256_cmp_pd(s, _mm256_setzero_pd(), _CMP_GT_OQ), s), n))
                 : _mm256_div_pd(s, n);
}

/* Four outputs as float32; divides, as sse2_y. */
AVX2 static inline __m128 avx2_y(__m256d s, __m256d n, int squared) {
  return _mm256_cvtpd_ps(avx2_exact_y(s, n, squared));
}

/* G groups of four channels (G = 1 or 2, a constant after inlining), one float64 lane per channel,
 * as mw_lanes2_sse2. Two groups in one frame loop give two independent recursions to overlap,
 * since each alone is bound by its two dependent additions per frame. (Masked loads and stores, to
 * keep 3 channels in one vector, measured slower on Zen 3 than a pair plus a scalar channel.) */
AVX2 DSPFN_INLINE void mw_lanes_avx2(dspfn_mw_t *S, uint32_t c0, const float *src, float *dst,
                                     size_t frames, const int G) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring + c0;
  uint64_t count = S->counts[c0];
  __m256d sum[2];
  for (int g = 0; g < G; g++) sum[g] = _mm256_loadu_pd(S->sums + c0 + 4 * g);
  uint32_t slot = (uint32_t)(count % W);
  uint64_t to_resync = RESYNC - count % RESYNC;
  const __m256d nW = _mm256_set1_pd((double)W);
  for (size_t f = 0; f < frames; f++) {
    float *r = ring + slot * C;
    for (int g = 0; g < G; g++) {
      const __m128 xf = _mm_loadu_ps(src + f * C + c0 + 4 * g);
      const __m256d x = _mm256_cvtps_pd(xf);
      const __m256d old = _mm256_cvtps_pd(_mm_loadu_ps(r + 4 * g));
      sum[g] = squared ? _mm256_add_pd(_mm256_sub_pd(sum[g], _mm256_mul_pd(old, old)), _mm256_mul_pd(x, x))
                       : _mm256_add_pd(_mm256_sub_pd(sum[g], old), x);
      _mm_storeu_ps(r + 4 * g, xf);
    }
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--to_resync == 0) {
      for (int g = 0; g < G; g++) {
        const uint32_t c = c0 + 4 * (uint32_t)g;
        sum[g] = _mm256_setr_pd(mw_window_sum(S, c), mw_window_sum(S, c + 1), mw_window_sum(S, c + 2),
                                mw_window_sum(S, c + 3));
      }
      to_resync = RESYNC;
    }
    for (int g = 0; g < G; g++) {
      const __m128 y = count >= W ? avx2_y(sum[g], nW, squared)
                                  : _mm256_cvtpd_ps(avx2_exact_y(sum[g], _mm256_set1_pd((double)count), squared));
      _mm_storeu_ps(dst + f * C + c0 + 4 * g, y);
    }
  }
  for (uint32_t c = c0; c < c0 + 4 * (uint32_t)G; c++) S->counts[c] = count;
  for (int g = 0; g < G; g++) _mm256_storeu_pd(S->sums + c0 + 4 * g, sum[g]);
}

AVX2 static inline __m256d avx2_scan4(__m256d v) {
  const __m256d zero = _mm256_setzero_pd();
  v = _mm256_add_pd(v, _mm256_blend_pd(_mm256_permute4x64_pd(v, _MM_SHUFFLE(2, 1, 0, 0)), zero, 1));
  return _mm256_add_pd(v, _mm256_permute2f128_pd(v, v, 0x08));
}

AVX2 static double mw_exact_avx2(const float *x, const float *old, float *dst, size_t m,
                                 double s0, double n, int squared) {
  const __m256d nv = _mm256_set1_pd(n);
  __m256d carry = _mm256_set1_pd(s0);
  size_t i = 0;
  /* Two vectors per step so the loop-carried chain is one add and one permute per 8 samples. */
  for (; i + 8 <= m; i += 8) {
    const __m256d xa = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), xb = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
    const __m256d oa = _mm256_cvtps_pd(_mm_loadu_ps(old + i)), ob = _mm256_cvtps_pd(_mm_loadu_ps(old + i + 4));
    __m256d a, b;
    if (squared) {
      a = _mm256_sub_pd(_mm256_mul_pd(xa, xa), _mm256_mul_pd(oa, oa));
      b = _mm256_sub_pd(_mm256_mul_pd(xb, xb), _mm256_mul_pd(ob, ob));
    } else {
      a = _mm256_sub_pd(xa, oa);
      b = _mm256_sub_pd(xb, ob);
    }
    a = avx2_scan4(a);
    b = avx2_scan4(b);
    b = _mm256_add_pd(b, _mm256_permute4x64_pd(a, 0xff));
    a = _mm256_add_pd(a, carry);
    b = _mm256_add_pd(b, carry);
    carry = _mm256_permute4x64_pd(b, 0xff);
    _mm_storeu_ps(dst + i, avx2_y(a, nv, squared));
    _mm_storeu_ps(dst + i + 4, avx2_y(b, nv, squared));
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, _mm256_cvtsd_f64(carry), n, squared);
}

AVX2 static double mw_seq_avx2(const float *x, const float *old, float *dst, size_t m,
                               double sum, double n, int squared) {
  const __m256d nv = _mm256_set1_pd(n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const __m256d xv = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), ov = _mm256_cvtps_pd(_mm_loadu_ps(old + i));
    double a[4], b[4];
    _mm256_storeu_pd(a, squared ? _mm256_mul_pd(ov, ov) : ov);
    _mm256_storeu_pd(b, squared ? _mm256_mul_pd(xv, xv) : xv);
    const double s0 = sum - a[0] + b[0], s1 = s0 - a[1] + b[1], s2 = s1 - a[2] + b[2], s3 = s2 - a[3] + b[3];
    _mm_storeu_ps(dst + i, avx2_y(_mm256_setr_pd(s0, s1, s2, s3), nv, squared));
    sum = s3;
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, sum, n, squared);
}

/* Test hook body (dspfn_mw_test_outputs): the output step of the vector loops alone. */
AVX2 static void mw_finish_avx2(const double *s, float *dst, size_t m, double n, int squared) {
  const __m256d nv = _mm256_set1_pd(n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) _mm_storeu_ps(dst + i, avx2_y(_mm256_loadu_pd(s + i), nv, squared));
  for (; i < m; i++) dst[i] = mw_out(s[i], n, squared);
}

/* Direct rms: 16 outputs per step in four vectors (independent sums). */
AVX2 static void mw_direct_avx2(const double *q, float *dst, size_t m, uint32_t W, size_t K) {
  const __m256d nv = _mm256_set1_pd((double)W);
  size_t i = 0;
  for (; i + 16 <= m; i += 16) {
    const double *p = q + i;
    __m256d a = _mm256_loadu_pd(p), b = _mm256_loadu_pd(p + 4), c = _mm256_loadu_pd(p + 8), d = _mm256_loadu_pd(p + 12);
    for (uint32_t j = 1; j < W; j++) {
      p += K;
      a = _mm256_add_pd(a, _mm256_loadu_pd(p));
      b = _mm256_add_pd(b, _mm256_loadu_pd(p + 4));
      c = _mm256_add_pd(c, _mm256_loadu_pd(p + 8));
      d = _mm256_add_pd(d, _mm256_loadu_pd(p + 12));
    }
    _mm_storeu_ps(dst + i, avx2_y(a, nv, 1));
    _mm_storeu_ps(dst + i + 4, avx2_y(b, nv, 1));
    _mm_storeu_ps(dst + i + 8, avx2_y(c, nv, 1));
    _mm_storeu_ps(dst + i + 12, avx2_y(d, nv, 1));
  }
  for (; i + 4 <= m; i += 4) {
    const double *p = q + i;
    __m256d a = _mm256_loadu_pd(p);
    for (uint32_t j = 1; j < W; j++) a = _mm256_add_pd(a, _mm256_loadu_pd(p += K));
    _mm_storeu_ps(dst + i, avx2_y(a, nv, 1));
  }
  mw_direct_tail(q + i, dst + i, m - i, W, K);
}

AVX2 static void mw_process_avx2(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    mw_direct_blocks(S, src, dst, frames, mw_direct_avx2);
    return;
  }
  if (S->channels == 1) {
    mw_single(S, src, dst, frames, mw_exact_avx2, mw_seq_avx2);
    return;
  }
  if (!mw_counts_equal(S)) {
    dspfn_mw_process_scalar(S, src, dst, frames);
    return;
  }
  uint32_t c = 0;
  for (; c + 8 <= S->channels; c += 8) mw_lanes_avx2(S, c, src, dst, frames, 2);
  for (; c + 4 <= S->channels; c += 4) mw_lanes_avx2(S, c, src, dst, frames, 1);
  for (; c + 2 <= S->channels; c += 2) mw_lanes2_sse2(S, c, src, dst, frames);
  for (; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
}

#endif /* __x86_64__ */

/* ---------------------------------------------------------------------------------------------
 * arm64: Advanced SIMD (NEON), two float64 lanes. Built for neoverse-n1 (Graviton2).
 * ------------------------------------------------------------------------------------------- */
#if defined(__aarch64__)

/*
 * NEON outputs multiply by r = fl(1/n) instead of dividing: Neoverse N1's float64 FDIV/FSQRT
 * are barely pipelined (7-17 cycles per 2 lanes in Arm's optimization guide), FMUL is not. (On
 * Zen 3 vdivpd is cheap enough that this measured slower, so x86 divides.) The results are still
 * TypeScript's float32 values:
 *   q = fl(s r) is within 3 float64 ulps of fl(s / n) (two roundings of 2^-53 each, plus that of
 *   the quotient); for rms, fl(sqrt(q)) is within 2.5 ulps of fl(sqrt(fl(s / n))).
 * Both round to the same float32 unless a float32 rounding midpoint lies between them, i.e. unless
 * the 29 mantissa bits float32 drops are within a few units of 1000...0 (checked: within 8), or the
 * result is below float32's normal range (2^-125 checked; zero is exact). Such vectors, about one
 * in 10^7 for noise-like data, are recomputed with the division.
 */
#define MIDPOINT_LOW 0x10000000u /* 2^28: the dropped bits of a float32 rounding midpoint */
#define MIDPOINT_MARGIN 8
#define F32_NORMAL_MIN_SAFE 0x1p-125

static inline float64x2_t neon_exact_y(float64x2_t s, float64x2_t n, int squared) {
  const float64x2_t zero = vdupq_n_f64(0);
  /* vmaxq_f64 would return NaN for a NaN sum; TypeScript's (sum > 0 ? sum : 0) gives 0. */
  return squared ? vsqrtq_f64(vdivq_f64(vbslq_f64(vcgtq_f64(s, zero), s, zero), n)) : vdivq_f64(s, n);
}

/* Two outputs as float32, via the reciprocal r when safe (see MIDPOINT_LOW). */
static inline float32x2_t neon_y(float64x2_t s, float64x2_t n, float64x2_t r, int squared) {
  const float64x2_t zero = vdupq_n_f64(0);
  float64x2_t y = squared ? vsqrtq_f64(vmulq_f64(vbslq_f64(vcgtq_f64(s, zero), s, zero), r)) : vmulq_f64(s, r);
  const uint64x2_t low = vandq_u64(vreinterpretq_u64_f64(y), vdupq_n_u64(0x1fffffff));
  /* Unsigned wrap-around: below the window the difference is huge. */
  const uint64x2_t near = vcltq_u64(vsubq_u64(low, vdupq_n_u64(MIDPOINT_LOW - MIDPOINT_MARGIN)),
                                    vdupq_n_u64(2 * MIDPOINT_MARGIN + 1));
  const uint64x2_t fine = vorrq_u64(vcgeq_f64(vabsq_f64(y), vdupq_n_f64(F32_NORMAL_MIN_SAFE)), vceqzq_f64(y));
  if (vmaxvq_u32(vreinterpretq_u32_u64(vornq_u64(near, fine))) != 0) y = neon_exact_y(s, n, squared);
  return vcvt_f32_f64(y);
}

/* G pairs of channels (G = 1, 2 or 4, a constant after inlining), one float64 lane per channel;
 * several pairs per frame loop overlap their (latency-bound) recursions. */
DSPFN_INLINE void mw_lanes_neon(dspfn_mw_t *S, uint32_t c0, const float *src, float *dst,
                                size_t frames, const int G) {
  const size_t C = S->channels;
  const uint32_t W = S->window;
  const int squared = S->squared;
  float *ring = S->ring + c0;
  uint64_t count = S->counts[c0];
  float64x2_t sum[4];
  for (int g = 0; g < G; g++) sum[g] = vld1q_f64(S->sums + c0 + 2 * g);
  uint32_t slot = (uint32_t)(count % W);
  uint64_t to_resync = RESYNC - count % RESYNC;
  const float64x2_t nW = vdupq_n_f64((double)W), rW = vdupq_n_f64(1.0 / (double)W);
  for (size_t f = 0; f < frames; f++) {
    float *r = ring + slot * C;
    for (int g = 0; g < G; g++) {
      const float32x2_t xf = vld1_f32(src + f * C + c0 + 2 * g);
      const float64x2_t x = vcvt_f64_f32(xf);
      const float64x2_t old = vcvt_f64_f32(vld1_f32(r + 2 * g));
      sum[g] = squared ? vaddq_f64(vsubq_f64(sum[g], vmulq_f64(old, old)), vmulq_f64(x, x))
                       : vaddq_f64(vsubq_f64(sum[g], old), x);
      vst1_f32(r + 2 * g, xf);
    }
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--to_resync == 0) {
      for (int g = 0; g < G; g++) {
        const double sums[2] = {mw_window_sum(S, c0 + 2 * (uint32_t)g), mw_window_sum(S, c0 + 2 * (uint32_t)g + 1)};
        sum[g] = vld1q_f64(sums);
      }
      to_resync = RESYNC;
    }
    for (int g = 0; g < G; g++) {
      const float32x2_t y = count >= W ? neon_y(sum[g], nW, rW, squared)
                                       : vcvt_f32_f64(neon_exact_y(sum[g], vdupq_n_f64((double)count), squared));
      vst1_f32(dst + f * C + c0 + 2 * g, y);
    }
  }
  for (uint32_t c = c0; c < c0 + 2 * (uint32_t)G; c++) S->counts[c] = count;
  for (int g = 0; g < G; g++) vst1q_f64(S->sums + c0 + 2 * g, sum[g]);
}

static double mw_exact_neon(const float *x, const float *old, float *dst, size_t m, double s0,
                            double n, int squared) {
  const float64x2_t nv = vdupq_n_f64(n), rv = vdupq_n_f64(1.0 / n), zero = vdupq_n_f64(0);
  float64x2_t carry = vdupq_n_f64(s0);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float32x4_t xf = vld1q_f32(x + i), of = vld1q_f32(old + i);
    const float64x2_t xa = vcvt_f64_f32(vget_low_f32(xf)), xb = vcvt_high_f64_f32(xf);
    const float64x2_t oa = vcvt_f64_f32(vget_low_f32(of)), ob = vcvt_high_f64_f32(of);
    float64x2_t a = squared ? vsubq_f64(vmulq_f64(xa, xa), vmulq_f64(oa, oa)) : vsubq_f64(xa, oa);
    float64x2_t b = squared ? vsubq_f64(vmulq_f64(xb, xb), vmulq_f64(ob, ob)) : vsubq_f64(xb, ob);
    a = vaddq_f64(a, vextq_f64(zero, a, 1));
    b = vaddq_f64(b, vextq_f64(zero, b, 1));
    b = vaddq_f64(b, vdupq_laneq_f64(a, 1));
    a = vaddq_f64(a, carry);
    b = vaddq_f64(b, carry);
    carry = vdupq_laneq_f64(b, 1);
    vst1q_f32(dst + i, vcombine_f32(neon_y(a, nv, rv, squared), neon_y(b, nv, rv, squared)));
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, vgetq_lane_f64(carry, 0), n, squared);
}

static double mw_seq_neon(const float *x, const float *old, float *dst, size_t m, double sum,
                          double n, int squared) {
  const float64x2_t nv = vdupq_n_f64(n), rv = vdupq_n_f64(1.0 / n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const float32x4_t xf = vld1q_f32(x + i), of = vld1q_f32(old + i);
    const float64x2_t xa = vcvt_f64_f32(vget_low_f32(xf)), xb = vcvt_high_f64_f32(xf);
    const float64x2_t oa = vcvt_f64_f32(vget_low_f32(of)), ob = vcvt_high_f64_f32(of);
    double a[4], b[4];
    vst1q_f64(a, squared ? vmulq_f64(oa, oa) : oa);
    vst1q_f64(a + 2, squared ? vmulq_f64(ob, ob) : ob);
    vst1q_f64(b, squared ? vmulq_f64(xa, xa) : xa);
    vst1q_f64(b + 2, squared ? vmulq_f64(xb, xb) : xb);
    double sv[4];
    sv[0] = sum - a[0] + b[0];
    sv[1] = sv[0] - a[1] + b[1];
    sv[2] = sv[1] - a[2] + b[2];
    sv[3] = sv[2] - a[3] + b[3];
    vst1q_f32(dst + i, vcombine_f32(neon_y(vld1q_f64(sv), nv, rv, squared), neon_y(vld1q_f64(sv + 2), nv, rv, squared)));
    sum = sv[3];
  }
  return mw_block_tail(x + i, old + i, dst + i, m - i, sum, n, squared);
}

/* Test hook body (dspfn_mw_test_outputs): the output step of the vector loops alone. */
static void mw_finish_neon(const double *s, float *dst, size_t m, double n, int squared) {
  const float64x2_t nv = vdupq_n_f64(n), rv = vdupq_n_f64(1.0 / n);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    vst1q_f32(dst + i, vcombine_f32(neon_y(vld1q_f64(s + i), nv, rv, squared), neon_y(vld1q_f64(s + i + 2), nv, rv, squared)));
  }
  for (; i < m; i++) dst[i] = mw_out(s[i], n, squared);
}

/* Direct rms: 8 outputs per step in four vectors (independent sums). */
static void mw_direct_neon(const double *q, float *dst, size_t m, uint32_t W, size_t K) {
  const float64x2_t nv = vdupq_n_f64((double)W), rv = vdupq_n_f64(1.0 / (double)W);
  size_t i = 0;
  for (; i + 8 <= m; i += 8) {
    const double *p = q + i;
    float64x2_t a = vld1q_f64(p), b = vld1q_f64(p + 2), c = vld1q_f64(p + 4), d = vld1q_f64(p + 6);
    for (uint32_t j = 1; j < W; j++) {
      p += K;
      a = vaddq_f64(a, vld1q_f64(p));
      b = vaddq_f64(b, vld1q_f64(p + 2));
      c = vaddq_f64(c, vld1q_f64(p + 4));
      d = vaddq_f64(d, vld1q_f64(p + 6));
    }
    vst1q_f32(dst + i, vcombine_f32(neon_y(a, nv, rv, 1), neon_y(b, nv, rv, 1)));
    vst1q_f32(dst + i + 4, vcombine_f32(neon_y(c, nv, rv, 1), neon_y(d, nv, rv, 1)));
  }
  mw_direct_tail(q + i, dst + i, m - i, W, K);
}

static void mw_process_neon(dspfn_mw_t *S, const float *src, float *dst, size_t frames) {
  if (mw_is_direct(S)) {
    mw_direct_blocks(S, src, dst, frames, mw_direct_neon);
    return;
  }
  if (S->channels == 1) {
    mw_single(S, src, dst, frames, mw_exact_neon, mw_seq_neon);
    return;
  }
  if (!mw_counts_equal(S)) {
    dspfn_mw_process_scalar(S, src, dst, frames);
    return;
  }
  uint32_t c = 0;
  for (; c + 8 <= S->channels; c += 8) mw_lanes_neon(S, c, src, dst, frames, 4);
  for (; c + 4 <= S->channels; c += 4) mw_lanes_neon(S, c, src, dst, frames, 2);
  for (; c + 2 <= S->channels; c += 2) mw_lanes_neon(S, c, src, dst, frames, 1);
  for (; c < S->channels; c++) mw_channel_scalar(S, c, src, dst, frames);
}

#endif /* __aarch64__ */

int dspfn_mw_process(dspfn_mw_t *S, const float *src, float *dst, size_t frames, dspfn_simd simd) {
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      mw_process_avx2(S, src, dst, frames);
      return DSPFN_OK;
    case DSPFN_SIMD_SSE2:
      mw_process_sse2(S, src, dst, frames);
      return DSPFN_OK;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      mw_process_neon(S, src, dst, frames);
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
      mw_finish_avx2(s, dst, m, n, squared);
      return DSPFN_OK;
    case DSPFN_SIMD_SSE2:
      mw_finish_sse2(s, dst, m, n, squared);
      return DSPFN_OK;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      mw_finish_neon(s, dst, m, n, squared);
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

int dspfn_mw_restore(dspfn_mw_t *S, const uint8_t *in, size_t in_bytes) {
  if (in_bytes < 8) return DSPFN_E_STATE_SIZE;
  uint32_t channels, window;
  memcpy(&channels, in, 4);
  memcpy(&window, in + 4, 4);
  if (channels != S->channels || window != S->window) return DSPFN_E_STATE_SHAPE;
  if (in_bytes != dspfn_mw_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  const size_t C = channels, W = window, stride = 16 + 4 * W;
  /* Validate everything before changing anything, so a bad snapshot leaves the state intact. */
  for (size_t c = 0; c < C; c++) {
    double count;
    memcpy(&count, in + 8 + c * stride, 8);
    /* Counts are whole sample numbers; slot and warm-up are derived from them. */
    if (!(count >= 0 && count <= 9007199254740992.0) || (double)(uint64_t)count != count) {
      return DSPFN_E_STATE_VALUE;
    }
  }
  const uint8_t *p = in + 8;
  for (size_t c = 0; c < C; c++) {
    double count;
    memcpy(&count, p, 8);
    S->counts[c] = (uint64_t)count;
    memcpy(&S->sums[c], p + 8, 8);
    p += 16;
    for (size_t k = 0; k < W; k++, p += 4) memcpy(&S->ring[k * C + c], p, 4);
  }
  S->inexact_backoff = 0;
  return DSPFN_OK;
}
