/*
 * One channel, two consecutive samples per SIMD pair (SSE2 on x64, NEON on arm64). The look-ahead
 * form (biquad.c) makes y[n] depend on y[n−2] and y[n−4] only, so samples n and n+1 of a section
 * compute side by side, each lane performing exactly the per-sample operations of the lane step
 * and the TypeScript kernel: the same bits, with the loop-carried dependency crossed once per two
 * samples instead of once per sample. Included by biquad.c (needs biquad_terms).
 */
#if defined(__x86_64__)
#include "common/simd_x86.h"
typedef __m128d pair_t;
#define PAIR_SET(v) _mm_set1_pd(v)
#define PAIR_ADD(a, b) _mm_add_pd(a, b)
#define PAIR_SUB(a, b) _mm_sub_pd(a, b)
#define PAIR_MUL(a, b) _mm_mul_pd(a, b)
#define PAIR_MAKE(lo, hi) _mm_set_pd(hi, lo)
#define PAIR_MID(a, b) _mm_shuffle_pd(a, b, 1) /* (a[1], b[0]) */
#define PAIR_LO(a) _mm_cvtsd_f64(a)
#define PAIR_HI(a) _mm_cvtsd_f64(_mm_unpackhi_pd(a, a))
#define PAIR_LOAD_F32(p) dspfn_sse2_load2(p)
#define PAIR_STORE_F32(p, a) dspfn_sse2_store2(p, _mm_cvtpd_ps(a))
#elif defined(__aarch64__)
#include "common/simd_neon.h"
typedef float64x2_t pair_t;
#define PAIR_SET(v) vdupq_n_f64(v)
#define PAIR_ADD(a, b) vaddq_f64(a, b)
#define PAIR_SUB(a, b) vsubq_f64(a, b)
#define PAIR_MUL(a, b) vmulq_f64(a, b)
#define PAIR_MAKE(lo, hi) vcombine_f64(vdup_n_f64(lo), vdup_n_f64(hi))
#define PAIR_MID(a, b) vextq_f64(a, b, 1) /* (a[1], b[0]) */
#define PAIR_LO(a) vgetq_lane_f64(a, 0)
#define PAIR_HI(a) vgetq_lane_f64(a, 1)
#define PAIR_LOAD_F32(p) dspfn_neon_load2(p)
#define PAIR_STORE_F32(p, a) dspfn_neon_store2(p, a)
#endif

/* One frame of one channel through the cascade, scalar (h: BIQUAD_SLOTS(sections) values). */
static void biquad_one(const biquad_terms *coef, uint32_t sections, double *h, const float *src, float *dst) {
  double x = (double)*src;
  for (uint32_t s = 0; s < sections; s++) {
    const biquad_terms *k = coef + s;
    double *v = h + 4 * (size_t)s;
    const double g = (((k->g0 * x + k->g1 * v[0]) + k->g2 * v[1]) + k->g3 * v[2]) + k->g4 * v[3];
    const double y = (g - k->c4 * v[7]) - k->c2 * v[5];
    v[3] = v[2];
    v[2] = v[1];
    v[1] = v[0];
    v[0] = x;
    x = y;
  }
  double *v = h + 4 * (size_t)sections;
  v[3] = v[2];
  v[2] = v[1];
  v[1] = v[0];
  v[0] = x;
  *dst = (float)x;
}

#if defined(__x86_64__) || defined(__aarch64__)
/* One section on a pair of samples: x = (x[n], x[n+1]); near/far hold the section's input and
 * output histories as pairs (v[n−2], v[n−1]) and (v[n−4], v[n−3]) and move on by one pair. */
static inline __attribute__((always_inline)) pair_t biquad_pair_step(const pair_t *K, pair_t x, pair_t *nx, pair_t *fx, pair_t *ny,
                                                                     pair_t *fy) {
  const pair_t x1 = PAIR_MID(*nx, x);   /* (x[n−1], x[n]) */
  const pair_t x3 = PAIR_MID(*fx, *nx); /* (x[n−3], x[n−2]) */
  const pair_t g = PAIR_ADD(PAIR_ADD(PAIR_ADD(PAIR_ADD(PAIR_MUL(K[0], x), PAIR_MUL(K[1], x1)), PAIR_MUL(K[2], *nx)), PAIR_MUL(K[3], x3)),
                            PAIR_MUL(K[4], *fx));
  const pair_t y = PAIR_SUB(PAIR_SUB(g, PAIR_MUL(K[6], *fy)), PAIR_MUL(K[5], *ny));
  *fx = *nx;
  *nx = x;
  *fy = *ny;
  *ny = y;
  return y;
}

static inline __attribute__((always_inline)) void biquad_pair_terms(const biquad_terms *k, pair_t *K) {
  const double v[7] = {k->g0, k->g1, k->g2, k->g3, k->g4, k->c2, k->c4};
  for (int t = 0; t < 7; t++) K[t] = PAIR_SET(v[t]);
}

/*
 * Pairs of frames with S sections (1..4 a constant after inlining, else S = 0 and `sections` read
 * at run time). Level j (0: the input, j ≥ 1: section j−1's output) keeps its last four values as
 * two pairs: near[j] = (v[n−2], v[n−1]), far[j] = (v[n−4], v[n−3]).
 */
static inline __attribute__((always_inline)) void biquad_pairs_run(const biquad_terms *coef, uint32_t sections, double *h,
                                                                   const float *src, float *dst, size_t pairs, const int S) {
  const uint32_t n = S > 0 ? (uint32_t)S : sections;
  pair_t near[DSPFN_BIQUAD_MAX_SECTIONS + 1], far[DSPFN_BIQUAD_MAX_SECTIONS + 1];
  for (uint32_t j = 0; j <= n; j++) {
    near[j] = PAIR_MAKE(h[4 * j + 1], h[4 * j]);
    far[j] = PAIR_MAKE(h[4 * j + 3], h[4 * j + 2]);
  }
  /* The terms broadcast once, outside the frame loop (the held case keeps them in registers or
   * reads them as memory operands instead of broadcasting each pair). */
  pair_t terms[4][7];
  const int held = S > 0 ? S : 0;
  for (int s = 0; s < held; s++) {
    const biquad_terms *k = coef + s;
    const double v[7] = {k->g0, k->g1, k->g2, k->g3, k->g4, k->c2, k->c4};
    for (int t = 0; t < 7; t++) terms[s][t] = PAIR_SET(v[t]);
  }
  for (size_t p = 0; p < pairs; p++) {
    pair_t x = PAIR_LOAD_F32(src + 2 * p); /* (x[n], x[n+1]) */
    for (uint32_t s = 0; s < n; s++) {
      const biquad_terms *k = coef + s;
      if (S > 0) {
        const pair_t *K = terms[s];
        const pair_t x1 = PAIR_MID(near[s], x);
        const pair_t x3 = PAIR_MID(far[s], near[s]);
        const pair_t g = PAIR_ADD(PAIR_ADD(PAIR_ADD(PAIR_ADD(PAIR_MUL(K[0], x), PAIR_MUL(K[1], x1)), PAIR_MUL(K[2], near[s])), PAIR_MUL(K[3], x3)),
                                  PAIR_MUL(K[4], far[s]));
        const pair_t y = PAIR_SUB(PAIR_SUB(g, PAIR_MUL(K[6], far[s + 1])), PAIR_MUL(K[5], near[s + 1]));
        far[s] = near[s];
        near[s] = x;
        x = y;
        continue;
      }
      const pair_t x1 = PAIR_MID(near[s], x);      /* (x[n−1], x[n]) */
      const pair_t x3 = PAIR_MID(far[s], near[s]); /* (x[n−3], x[n−2]) */
      const pair_t g = PAIR_ADD(PAIR_ADD(PAIR_ADD(PAIR_ADD(PAIR_MUL(PAIR_SET(k->g0), x), PAIR_MUL(PAIR_SET(k->g1), x1)),
                                                  PAIR_MUL(PAIR_SET(k->g2), near[s])),
                                         PAIR_MUL(PAIR_SET(k->g3), x3)),
                                PAIR_MUL(PAIR_SET(k->g4), far[s]));
      const pair_t y = PAIR_SUB(PAIR_SUB(g, PAIR_MUL(PAIR_SET(k->c4), far[s + 1])), PAIR_MUL(PAIR_SET(k->c2), near[s + 1]));
      far[s] = near[s];
      near[s] = x;
      x = y;
    }
    far[n] = near[n];
    near[n] = x;
    PAIR_STORE_F32(dst + 2 * p, x);
  }
  for (uint32_t j = 0; j <= n; j++) {
    h[4 * j] = PAIR_HI(near[j]);
    h[4 * j + 1] = PAIR_LO(near[j]);
    h[4 * j + 2] = PAIR_HI(far[j]);
    h[4 * j + 3] = PAIR_LO(far[j]);
  }
}
#endif

/* One channel (h: its whole history, BIQUAD_SLOTS(sections) values): pairs of frames, then the odd one. */
#define DSPFN_BIQUAD_PAIRS_FN(name, attributes)                                                                             \
  attributes static void name(const biquad_terms *coef, uint32_t sections, double *h, const float *src, float *dst, size_t frames) { \
    const size_t pairs = frames / 2;                                                                                    \
    switch (sections) {                                                                                                 \
      case 1: biquad_pairs_run(coef, sections, h, src, dst, pairs, 1); break;                                           \
      case 2: biquad_pairs_run(coef, sections, h, src, dst, pairs, 2); break;                                           \
      case 3: biquad_pairs_run(coef, sections, h, src, dst, pairs, 3); break;                                           \
      case 4: biquad_pairs_run(coef, sections, h, src, dst, pairs, 4); break;                                           \
      default: biquad_pairs_run(coef, sections, h, src, dst, pairs, 0); break;                                          \
    }                                                                                                                   \
    for (size_t done = 2 * pairs; done < frames; done++) biquad_one(coef, sections, h, src + done, dst + done);          \
  }

#if defined(__x86_64__)
/*
 * Two sections on AVX2: both run in one 256-bit vector, section 0 on pair t in the low half and
 * section 1 on pair t − 4 in the high half. Section 1's input (section 0's output of pair t − 4)
 * is then four steps old, so the long path from it through the sum of products (about 25 cycles)
 * spreads over four steps and the step is bound by the short recursion y ← y[n−2] alone. Each
 * lane still performs the per-sample operations, so the bits are those of the pairs. Section 0
 * runs alone on the first four pairs and section 1 alone on the last four, so every call leaves
 * the state where the pairs would.
 */
#define BIQUAD_LAG 4
DSPFN_AVX2 static void biquad_pipelined2_avx2(const biquad_terms *coef, double *h, const float *src, float *dst, size_t pairs) {
  pair_t k0[7], k1[7];
  biquad_pair_terms(coef, k0);
  biquad_pair_terms(coef + 1, k1);
  /* Levels: 0 the input, 1 section 0's output (section 1's input), 2 section 1's output. */
  pair_t nx0 = PAIR_MAKE(h[1], h[0]), fx0 = PAIR_MAKE(h[3], h[2]);
  pair_t ny0 = PAIR_MAKE(h[5], h[4]), fy0 = PAIR_MAKE(h[7], h[6]);
  pair_t nx1 = ny0, fx1 = fy0;
  pair_t ny1 = PAIR_MAKE(h[9], h[8]), fy1 = PAIR_MAKE(h[11], h[10]);
  /* Section 0's outputs of the pairs section 1 has yet to take, oldest first. */
  pair_t queue[BIQUAD_LAG];
  for (size_t p = 0; p < BIQUAD_LAG; p++) queue[p] = biquad_pair_step(k0, PAIR_LOAD_F32(src + 2 * p), &nx0, &fx0, &ny0, &fy0);
  __m256d K[7];
  for (int t = 0; t < 7; t++) K[t] = _mm256_insertf128_pd(_mm256_castpd128_pd256(k0[t]), k1[t], 1);
  __m256d NX = _mm256_insertf128_pd(_mm256_castpd128_pd256(nx0), nx1, 1), FX = _mm256_insertf128_pd(_mm256_castpd128_pd256(fx0), fx1, 1);
  __m256d NY = _mm256_insertf128_pd(_mm256_castpd128_pd256(ny0), ny1, 1), FY = _mm256_insertf128_pd(_mm256_castpd128_pd256(fy0), fy1, 1);
  /* queue[0], queue[1] (pairs t − 4, t − 3) stay in q4, q3; t − 2 and t − 1 are FY's and NY's low halves. */
  pair_t q4 = queue[0], q3 = queue[1];
  for (size_t p = BIQUAD_LAG; p < pairs; p++) {
    const __m256d X = _mm256_insertf128_pd(_mm256_castpd128_pd256(PAIR_LOAD_F32(src + 2 * p)), q4, 1); /* [x pair p | y0 pair p − 4] */
    const __m256d X1 = _mm256_shuffle_pd(NX, X, 0x5);
    const __m256d X3 = _mm256_shuffle_pd(FX, NX, 0x5);
    const __m256d G = _mm256_add_pd(
        _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(K[0], X), _mm256_mul_pd(K[1], X1)), _mm256_mul_pd(K[2], NX)), _mm256_mul_pd(K[3], X3)),
        _mm256_mul_pd(K[4], FX));
    const __m256d Y = _mm256_sub_pd(_mm256_sub_pd(G, _mm256_mul_pd(K[6], FY)), _mm256_mul_pd(K[5], NY));
    q4 = q3;
    q3 = _mm256_castpd256_pd128(FY);
    FX = NX;
    NX = X;
    FY = NY;
    NY = Y;
    PAIR_STORE_F32(dst + 2 * (p - BIQUAD_LAG), _mm256_extractf128_pd(Y, 1));
  }
  nx0 = _mm256_castpd256_pd128(NX), fx0 = _mm256_castpd256_pd128(FX), ny0 = _mm256_castpd256_pd128(NY), fy0 = _mm256_castpd256_pd128(FY);
  nx1 = _mm256_extractf128_pd(NX, 1), fx1 = _mm256_extractf128_pd(FX, 1), ny1 = _mm256_extractf128_pd(NY, 1), fy1 = _mm256_extractf128_pd(FY, 1);
  /* Section 1 on the last four pairs. */
  const pair_t last[BIQUAD_LAG] = {q4, q3, fy0, ny0};
  for (size_t p = 0; p < BIQUAD_LAG; p++) {
    PAIR_STORE_F32(dst + 2 * (pairs - BIQUAD_LAG + p), biquad_pair_step(k1, last[p], &nx1, &fx1, &ny1, &fy1));
  }
  const pair_t level[3][2] = {{nx0, fx0}, {ny0, fy0}, {ny1, fy1}};
  for (int j = 0; j < 3; j++) {
    h[4 * j] = PAIR_HI(level[j][0]);
    h[4 * j + 1] = PAIR_LO(level[j][0]);
    h[4 * j + 2] = PAIR_HI(level[j][1]);
    h[4 * j + 3] = PAIR_LO(level[j][1]);
  }
}

DSPFN_BIQUAD_PAIRS_FN(biquad_pairs_sse2, )
/* The same 128-bit operations in VEX encoding (three operands: no register copies), for AVX2 CPUs. */
DSPFN_BIQUAD_PAIRS_FN(biquad_pairs_avx2, DSPFN_AVX2)
#elif defined(__aarch64__)
DSPFN_BIQUAD_PAIRS_FN(biquad_pairs_neon, )
#endif

/* Whether one channel runs in pairs on this path (scalar runs frame by frame). */
static int biquad_pairs(dspfn_simd simd, const biquad_terms *coef, uint32_t sections, double *h, const float *src, float *dst,
                        size_t frames) {
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      if (sections == 2 && frames >= 4 * BIQUAD_LAG) {
        biquad_pipelined2_avx2(coef, h, src, dst, frames / 2);
        if (frames % 2 == 1) biquad_one(coef, sections, h, src + frames - 1, dst + frames - 1);
      } else {
        biquad_pairs_avx2(coef, sections, h, src, dst, frames);
      }
      return 1;
    case DSPFN_SIMD_SSE2: biquad_pairs_sse2(coef, sections, h, src, dst, frames); return 1;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON: biquad_pairs_neon(coef, sections, h, src, dst, frames); return 1;
#endif
    default: return 0;
  }
}
