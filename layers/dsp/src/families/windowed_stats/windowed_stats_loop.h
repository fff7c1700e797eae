/*
 * The loops of windowed_stats.c, included by common/lanes.h once per instruction set
 * (DSPFN_LANES_LOOP): LANES channels per vector, G = 1 or 2 vectors per frame loop (independent
 * chains overlap). Every operation is the one the TypeScript kernel performs (moments.kernel.ts,
 * mean-absolute.kernel.ts, extrema.kernel.ts), per lane, in its order; what depends on the block
 * position is scalar (the frame count is the same for every channel). Each sample is read before
 * its output is written, so dst may equal src. No include guard: each pass defines its own functions.
 */

#define WS_LANE_AT(base, slot) ((base) + (size_t)(slot) * C + c)

/* ---- variance, stddev, zScore (MomentsKernel) ---- */

/* The statistic of m samples with sums s1, s2 about a shift K; d = x − K: MomentsKernel.output(). */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(moment_m)(lane_t d, lane_t s1, lane_t s2, lane_t m, lane_t eps, const int stat) {
  lane_t v = lane_div(lane_sub(lane_mul(m, s2), lane_mul(s1, s1)), lane_mul(m, m));
  v = lane_select(lane_lt(v, lane_zero()), lane_zero(), v);
  if (stat == DSPFN_WS_VARIANCE) return v;
  const lane_t sd = lane_sqrt(v);
  if (stat == DSPFN_WS_STDDEV) return sd;
  return lane_div(lane_sub(lane_mul(m, d), s1), lane_mul(m, lane_max(sd, eps)));
}

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(moment)(lane_t d, lane_t s1, lane_t s2, double m, lane_t eps, const int stat) {
  return DSPFN_LANES_FN(moment_m)(d, s1, s2, lane_set(m), eps, stat);
}

/* The previous block's positions j … W−1 with the current block's 0 … j−1: MomentsKernel.combined(). */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(combined)(const ws_params *p, size_t C, size_t c, lane_t x, lane_t kb, lane_t s1, lane_t s2,
                                                  uint32_t j, lane_t eps, const int stat) {
  const uint32_t W = p->window;
  const lane_t na = lane_set((double)(W - j));
  const lane_t t1 = lane_load(WS_LANE_AT(p->suffix1, j));
  const lane_t t2 = lane_load(WS_LANE_AT(p->suffix2, j));
  const lane_t delta = lane_sub(lane_load_f32(WS_LANE_AT(p->ring, W - 1)), kb);
  const lane_t a1 = lane_add(t1, lane_mul(na, delta));
  const lane_t a2 = lane_add(t2, lane_mul(delta, lane_add(lane_mul(lane_set(2.0), t1), lane_mul(na, delta))));
  return DSPFN_LANES_FN(moment)(lane_sub(x, kb), lane_add(s1, a1), lane_add(s2, a2), (double)W, eps, stat);
}

/* T1[j], T2[j] for j = W−1 down to 0, about the block's last sample. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(moment_suffixes)(const ws_params *p, size_t C, size_t c) {
  const uint32_t W = p->window;
  const lane_t ka = lane_load_f32(WS_LANE_AT(p->ring, W - 1));
  lane_t t1 = lane_zero(), t2 = lane_zero();
  for (uint32_t j = W; j-- > 0;) {
    const lane_t d = lane_sub(lane_load_f32(WS_LANE_AT(p->ring, j)), ka);
    t1 = lane_add(t1, d);
    t2 = lane_add(t2, lane_mul(d, d));
    lane_store(WS_LANE_AT(p->suffix1, j), t1);
    lane_store(WS_LANE_AT(p->suffix2, j), t2);
  }
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(moments)(const ws_params *p, double *prefix, size_t C, size_t c0, const float *src, float *dst,
                                               size_t frames, const int G, const int stat, const int exclude) {
  lane_t kb[2], s1[2], s2[2];
  for (int g = 0; g < G; g++) {
    const size_t c = c0 + (size_t)g * LANES;
    kb[g] = lane_load(prefix + c);
    s1[g] = lane_load(prefix + C + c);
    s2[g] = lane_load(prefix + 2 * C + c);
  }
  const uint32_t W = p->window;
  const lane_t eps = lane_set(p->epsilon);
  uint64_t count = p->count;
  uint32_t pos = (uint32_t)(count % W);
  for (size_t f = 0; f < frames; f++) {
    for (int g = 0; g < G; g++) {
      const size_t c = c0 + (size_t)g * LANES, at = f * C + c;
      const lane_t x = lane_load_f32(src + at);
      lane_t y = lane_zero();
      if (exclude && count > 0) {
        /* The window ending at the previous sample, before x enters the block. */
        if (count < W) {
          y = DSPFN_LANES_FN(moment)(lane_sub(x, kb[g]), s1[g], s2[g], (double)pos, eps, stat);
        } else if (pos == 0) {
          const lane_t ka = lane_load_f32(WS_LANE_AT(p->ring, W - 1));
          y = DSPFN_LANES_FN(moment)(lane_sub(x, ka), lane_load(p->suffix1 + c), lane_load(p->suffix2 + c), (double)W, eps, stat);
        } else {
          y = DSPFN_LANES_FN(combined)(p, C, c, x, kb[g], s1[g], s2[g], pos, eps, stat);
        }
      }
      lane_store_f32(WS_LANE_AT(p->ring, pos), x);
      if (pos == 0) {
        kb[g] = x;
        s1[g] = lane_zero();
        s2[g] = lane_zero();
      }
      const lane_t d = lane_sub(x, kb[g]);
      s1[g] = lane_add(s1[g], d);
      s2[g] = lane_add(s2[g], lane_mul(d, d));
      if (!exclude) {
        if (count < W || pos == W - 1) y = DSPFN_LANES_FN(moment)(d, s1[g], s2[g], (double)(pos + 1), eps, stat);
        else y = DSPFN_LANES_FN(combined)(p, C, c, x, kb[g], s1[g], s2[g], pos + 1, eps, stat);
      }
      lane_store_f32(dst + at, y);
    }
    count++;
    if (++pos == W) {
      pos = 0;
      for (int g = 0; g < G; g++) DSPFN_LANES_FN(moment_suffixes)(p, C, c0 + (size_t)g * LANES);
    }
  }
  for (int g = 0; g < G; g++) {
    const size_t c = c0 + (size_t)g * LANES;
    lane_store(prefix + c, kb[g]);
    lane_store(prefix + C + c, s1[g]);
    lane_store(prefix + 2 * C + c, s2[g]);
  }
}

/* ---- meanAbsolute (MeanAbsoluteKernel) ---- */

DSPFN_LANE_INLINE void DSPFN_LANES_FN(absolute_suffixes)(const ws_params *p, size_t C, size_t c) {
  lane_t u = lane_zero();
  for (uint32_t j = p->window; j-- > 0;) {
    u = lane_add(u, lane_abs(lane_load_f32(WS_LANE_AT(p->ring, j))));
    lane_store(WS_LANE_AT(p->suffix1, j), u);
  }
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(absolute)(const ws_params *p, double *prefix, size_t C, size_t c0, const float *src, float *dst,
                                                size_t frames, const int G) {
  lane_t sum[2];
  for (int g = 0; g < G; g++) sum[g] = lane_load(prefix + c0 + (size_t)g * LANES);
  const uint32_t W = p->window;
  const lane_t w = lane_set((double)W);
  uint64_t count = p->count;
  uint32_t pos = (uint32_t)(count % W);
  for (size_t f = 0; f < frames; f++) {
    const int alone = count < W || pos == W - 1;
    const lane_t m = lane_set((double)(pos + 1));
    for (int g = 0; g < G; g++) {
      const size_t c = c0 + (size_t)g * LANES, at = f * C + c;
      const lane_t x = lane_load_f32(src + at);
      lane_store_f32(WS_LANE_AT(p->ring, pos), x);
      sum[g] = pos == 0 ? lane_abs(x) : lane_add(sum[g], lane_abs(x));
      lane_store_f32(dst + at, alone ? lane_div(sum[g], m) : lane_div(lane_add(lane_load(WS_LANE_AT(p->suffix1, pos + 1)), sum[g]), w));
    }
    count++;
    if (++pos == W) {
      pos = 0;
      for (int g = 0; g < G; g++) DSPFN_LANES_FN(absolute_suffixes)(p, C, c0 + (size_t)g * LANES);
    }
  }
  for (int g = 0; g < G; g++) lane_store(prefix + c0 + (size_t)g * LANES, sum[g]);
}

/* ---- min, max (ExtremaKernel): best(a, b) = a > b ? a : b (max), a < b ? a : b (min) ---- */

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(best)(lane_t a, lane_t b, const int is_max) { return is_max ? lane_max(a, b) : lane_min(a, b); }

DSPFN_LANE_INLINE void DSPFN_LANES_FN(extreme_suffixes)(const ws_params *p, size_t C, size_t c, const int is_max) {
  const uint32_t W = p->window;
  lane_t s = lane_load_f32(WS_LANE_AT(p->ring, W - 1));
  lane_store_f32(WS_LANE_AT(p->extremes, W - 1), s);
  for (uint32_t j = W - 1; j-- > 0;) {
    s = DSPFN_LANES_FN(best)(lane_load_f32(WS_LANE_AT(p->ring, j)), s, is_max);
    lane_store_f32(WS_LANE_AT(p->extremes, j), s);
  }
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(extremes)(const ws_params *p, double *prefix, size_t C, size_t c0, const float *src, float *dst,
                                                size_t frames, const int G, const int is_max) {
  lane_t pre[2];
  for (int g = 0; g < G; g++) pre[g] = lane_load(prefix + c0 + (size_t)g * LANES);
  const uint32_t W = p->window;
  uint64_t count = p->count;
  uint32_t pos = (uint32_t)(count % W);
  for (size_t f = 0; f < frames; f++) {
    const int combine = count >= W && pos != W - 1;
    for (int g = 0; g < G; g++) {
      const size_t c = c0 + (size_t)g * LANES, at = f * C + c;
      const lane_t x = lane_load_f32(src + at);
      lane_store_f32(WS_LANE_AT(p->ring, pos), x);
      pre[g] = pos == 0 ? x : DSPFN_LANES_FN(best)(pre[g], x, is_max);
      lane_store_f32(dst + at, combine ? DSPFN_LANES_FN(best)(lane_load_f32(WS_LANE_AT(p->extremes, pos + 1)), pre[g], is_max) : pre[g]);
    }
    count++;
    if (++pos == W) {
      pos = 0;
      for (int g = 0; g < G; g++) DSPFN_LANES_FN(extreme_suffixes)(p, C, c0 + (size_t)g * LANES, is_max);
    }
  }
  for (int g = 0; g < G; g++) lane_store(prefix + c0 + (size_t)g * LANES, pre[g]);
}

/* ---- one channel, along the data ----
 * With one channel there are no channels to put in lanes, but once the state is updated the
 * outputs of consecutive samples are independent. So each run of samples within one block is done
 * in two passes: the state update sample by sample (the TypeScript operations in their order, in
 * plain doubles), keeping each sample's prefix values, then the output formula for LANES
 * consecutive samples per vector, with the previous block's suffixes loaded as they lie (the
 * suffix arrays have LANES doubles of zeros after them for the lanes past the run). Lanes whose
 * window lies in one block get the combination's operands as zeros (t = 0, na = 0, Δ = 0), and
 * s + (0 + 0·0) is s bit for bit for every sum these kernels make (they start at +0, so are never
 * −0): every lane performs the scalar operations. */

#ifndef WS_SINGLE_DEFINED
#define WS_SINGLE_DEFINED
#define WS_RUN 64 /* samples per pass: a multiple of every LANES */
static const double ws_iota[4] = {0, 1, 2, 3};
#endif

DSPFN_LANE_INLINE void DSPFN_LANES_FN(single_moments)(const ws_params *p, double *prefix, const float *src, float *dst, size_t frames,
                                                      const int stat, const int exclude) {
  double D[WS_RUN], A[WS_RUN], B[WS_RUN];
  float Y[WS_RUN];
  float *ring = p->ring;
  const double *T1 = p->suffix1, *T2 = p->suffix2;
  const uint32_t W = p->window;
  const lane_t eps = lane_set(p->epsilon), iota = lane_load(ws_iota), zero = lane_zero(), one = lane_set(1.0), w = lane_set((double)W);
  double kb = prefix[0], s1 = prefix[1], s2 = prefix[2];
  uint64_t count = p->count;
  uint32_t pos = (uint32_t)(count % W);
  for (size_t f = 0; f < frames;) {
    const uint32_t pos0 = pos;
    size_t n = W - pos0;
    if (n > WS_RUN) n = WS_RUN;
    if (n > frames - f) n = frames - f;
    const int full = count >= W;
    const double ka = ring[W - 1]; /* the previous block's last sample, before this run may overwrite its slot */
    for (size_t i = 0; i < n; i++) {
      const uint32_t q = pos0 + (uint32_t)i;
      const double x = src[f + i];
      if (exclude) {
        /* The window ending at the previous sample, before x enters the block. */
        if (full && q == 0) D[i] = x - ka, A[i] = T1[0], B[i] = T2[0];
        else if (!full && q == 0) D[i] = 0, A[i] = 0, B[i] = 0;
        else D[i] = x - kb, A[i] = s1, B[i] = s2;
      }
      ring[q] = src[f + i];
      if (q == 0) kb = x, s1 = 0, s2 = 0;
      const double e = x - kb;
      s1 = s1 + e;
      s2 = s2 + e * e;
      if (!exclude) D[i] = e, A[i] = s1, B[i] = s2;
    }
    for (size_t i = n; i % LANES != 0; i++) D[i] = A[i] = B[i] = 0;
    /* Sample i of the run: block position q = pos0 + i; the combination uses suffix j = q + 1
     * (q = j with excludeCurrent) when the window reaches into the previous block. */
    const uint32_t j0 = pos0 + (exclude ? 0 : 1);
    const lane_t delta = lane_set(ka - kb);
    for (size_t i = 0; i < n; i += LANES) {
      const lane_t q = lane_add(lane_set((double)(pos0 + i)), iota);
      lane_t t1 = zero, t2 = zero, na = zero, dl = zero, m;
      if (full) {
        const lane_mask_t combined = exclude ? lane_ge(q, one) : lane_lt(q, lane_set((double)(W - 1)));
        t1 = lane_select(combined, lane_load(T1 + j0 + i), zero);
        t2 = lane_select(combined, lane_load(T2 + j0 + i), zero);
        na = lane_select(combined, lane_sub(w, lane_add(lane_set((double)(j0 + i)), iota)), zero);
        dl = lane_select(combined, delta, zero);
        m = w;
      } else {
        /* Warm-up: the q + 1 samples so far (the q before x with excludeCurrent, 1 for the first: 0 / epsilon). */
        m = exclude ? lane_select(lane_eq(q, zero), one, q) : lane_add(q, one);
      }
      const lane_t a1 = lane_add(t1, lane_mul(na, dl));
      const lane_t a2 = lane_add(t2, lane_mul(dl, lane_add(lane_mul(lane_set(2.0), t1), lane_mul(na, dl))));
      lane_store_f32(Y + i, DSPFN_LANES_FN(moment_m)(lane_load(D + i), lane_add(lane_load(A + i), a1), lane_add(lane_load(B + i), a2), m, eps, stat));
    }
    memcpy(dst + f, Y, n * sizeof(float));
    f += n;
    count += n;
    pos += (uint32_t)n;
    if (pos == W) {
      pos = 0;
      double u1 = 0, u2 = 0;
      for (uint32_t j = W; j-- > 0;) {
        const double v = (double)ring[j] - (double)ring[W - 1];
        u1 = u1 + v;
        u2 = u2 + v * v;
        p->suffix1[j] = u1;
        p->suffix2[j] = u2;
      }
    }
  }
  prefix[0] = kb, prefix[1] = s1, prefix[2] = s2;
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(single_absolute)(const ws_params *p, double *prefix, const float *src, float *dst, size_t frames) {
  double P[WS_RUN];
  float Y[WS_RUN];
  float *ring = p->ring;
  const uint32_t W = p->window;
  const lane_t iota = lane_load(ws_iota), zero = lane_zero(), one = lane_set(1.0), w = lane_set((double)W);
  double sum = prefix[0];
  uint64_t count = p->count;
  uint32_t pos = (uint32_t)(count % W);
  for (size_t f = 0; f < frames;) {
    const uint32_t pos0 = pos;
    size_t n = W - pos0;
    if (n > WS_RUN) n = WS_RUN;
    if (n > frames - f) n = frames - f;
    const int full = count >= W;
    for (size_t i = 0; i < n; i++) {
      const double x = src[f + i];
      ring[pos0 + i] = src[f + i];
      sum = pos0 + i == 0 ? fabs(x) : sum + fabs(x);
      P[i] = sum;
    }
    for (size_t i = n; i % LANES != 0; i++) P[i] = 0;
    for (size_t i = 0; i < n; i += LANES) {
      const lane_t q = lane_add(lane_set((double)(pos0 + i)), iota);
      lane_t u = zero, m = lane_add(q, one);
      if (full) {
        u = lane_select(lane_lt(q, lane_set((double)(W - 1))), lane_load(p->suffix1 + pos0 + 1 + i), zero);
        m = w;
      }
      lane_store_f32(Y + i, lane_div(lane_add(u, lane_load(P + i)), m));
    }
    memcpy(dst + f, Y, n * sizeof(float));
    f += n;
    count += n;
    pos += (uint32_t)n;
    if (pos == W) {
      pos = 0;
      double u = 0;
      for (uint32_t j = W; j-- > 0;) {
        u = u + fabs((double)ring[j]);
        p->suffix1[j] = u;
      }
    }
  }
  prefix[0] = sum;
}

/* ---- dispatch: each statistic's loop with its options as constants ---- */

DSPFN_LANE_INLINE void DSPFN_LANES_FN(group)(const ws_params *p, double *prefix, size_t C, size_t c0, const float *src, float *dst,
                                             size_t frames, const int G) {
  switch (p->stat) {
    case DSPFN_WS_VARIANCE:
      DSPFN_LANES_FN(moments)(p, prefix, C, c0, src, dst, frames, G, DSPFN_WS_VARIANCE, 0);
      break;
    case DSPFN_WS_STDDEV:
      DSPFN_LANES_FN(moments)(p, prefix, C, c0, src, dst, frames, G, DSPFN_WS_STDDEV, 0);
      break;
    case DSPFN_WS_ZSCORE:
      if (p->exclude) DSPFN_LANES_FN(moments)(p, prefix, C, c0, src, dst, frames, G, DSPFN_WS_ZSCORE, 1);
      else DSPFN_LANES_FN(moments)(p, prefix, C, c0, src, dst, frames, G, DSPFN_WS_ZSCORE, 0);
      break;
    case DSPFN_WS_MEAN_ABSOLUTE:
      DSPFN_LANES_FN(absolute)(p, prefix, C, c0, src, dst, frames, G);
      break;
    case DSPFN_WS_MIN:
      DSPFN_LANES_FN(extremes)(p, prefix, C, c0, src, dst, frames, G, 0);
      break;
    default:
      DSPFN_LANES_FN(extremes)(p, prefix, C, c0, src, dst, frames, G, 1);
      break;
  }
}

/* Channels from c0 in whole vectors; returns the first channel left for a narrower path. */
static size_t DSPFN_LANES_FN(run)(const ws_params *p, double *prefix, size_t C, size_t c0, const float *src, float *dst, size_t frames) {
  if (C == 1 && c0 == 0 && LANES > 1) {
    switch (p->stat) {
      case DSPFN_WS_VARIANCE:
        DSPFN_LANES_FN(single_moments)(p, prefix, src, dst, frames, DSPFN_WS_VARIANCE, 0);
        return 1;
      case DSPFN_WS_STDDEV:
        DSPFN_LANES_FN(single_moments)(p, prefix, src, dst, frames, DSPFN_WS_STDDEV, 0);
        return 1;
      case DSPFN_WS_ZSCORE:
        if (p->exclude) DSPFN_LANES_FN(single_moments)(p, prefix, src, dst, frames, DSPFN_WS_ZSCORE, 1);
        else DSPFN_LANES_FN(single_moments)(p, prefix, src, dst, frames, DSPFN_WS_ZSCORE, 0);
        return 1;
      case DSPFN_WS_MEAN_ABSOLUTE:
        DSPFN_LANES_FN(single_absolute)(p, prefix, src, dst, frames);
        return 1;
      default:
        break; /* min and max: the comparisons are as cheap as gathering their operands */
    }
  }
  size_t c = c0;
  for (; c + 2 * (size_t)LANES <= C; c += 2 * (size_t)LANES) DSPFN_LANES_FN(group)(p, prefix, C, c, src, dst, frames, 2);
  for (; c + (size_t)LANES <= C; c += (size_t)LANES) DSPFN_LANES_FN(group)(p, prefix, C, c, src, dst, frames, 1);
  return c;
}

#undef WS_LANE_AT
