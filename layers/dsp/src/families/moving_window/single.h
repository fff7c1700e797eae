/*
 * The one-channel block path shared by the SIMD paths (x86.c, neon.c): exactness test, prefix scan
 * or sequential recursion per block. Always inlined into each path's wrapper, so its plain loops
 * are vectorised for that instruction set.
 */
#ifndef DSPFN_MW_SINGLE_H
#define DSPFN_MW_SINGLE_H

#include "families/moving_window/moving_window.h"

/* Samples per block of the one-channel path: scratch fits in L1 and stays on the stack. */
#define MW_BLOCK 512
/* After a block fails the exactness test, run this many blocks sequentially before testing again:
 * a signal that is inexact once (rms of a float signal, typically) usually stays so. */
#define MW_INEXACT_BACKOFF 8

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
      sum = dspfn_mw_window_sum(S, 0);
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

#endif /* DSPFN_MW_SINGLE_H */
