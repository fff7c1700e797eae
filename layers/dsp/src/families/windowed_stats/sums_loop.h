/*
 * The loops of window_sums.c, included by common/lanes.h once per instruction set (DSPFN_LANES_LOOP):
 * LANES channels per vector, G = 1 or 2 vectors per frame loop (two independent chains overlap).
 * Every operation is the one WindowSumsKernel performs (window-sums.kernel.ts), per lane, in its
 * order; the schedule (warm-up, resync) is scalar, from the frame count all channels share. Each
 * frame's samples are read before its outputs are written, so dst may equal src. No include guard:
 * each pass defines its own functions.
 */

/* Rounds each lane to the nearest float32 (Math.fround). */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(fround)(lane_t v) {
  float t[4];
  lane_store_f32(t, v);
  return lane_load_f32(t);
}

/* (m·S2 − S1²) / m², negative rounding clamped to 0 (NaN stays NaN): varianceOf(). */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(variance)(lane_t s1, lane_t s2, double m) {
  const lane_t v = lane_div(lane_sub(lane_mul(lane_set(m), s2), lane_mul(s1, s1)), lane_set(m * m));
  return lane_select(lane_lt(v, lane_zero()), lane_zero(), v);
}

/* (m·d − S1) / (m · max(sqrt(variance), epsilon)): zScoreOf(). */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(zscore)(lane_t d, lane_t s1, lane_t s2, double m, lane_t eps) {
  const lane_t sd = lane_sqrt(DSPFN_LANES_FN(variance)(s1, s2, m));
  return lane_div(lane_sub(lane_mul(lane_set(m), d), s1), lane_mul(lane_set(m), lane_max(sd, eps)));
}

/* The resync of the moments: K = f32(mean of the full window), then S1, S2 from it, in slot order. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(resync_moments)(const ws_params *p, size_t C, size_t c, lane_t *K, lane_t *s1, lane_t *s2) {
  const float *r = p->ring + c;
  const uint32_t W = p->window;
  lane_t total = lane_zero();
  for (uint32_t j = 0; j < W; j++) total = lane_add(total, lane_load_f32(r + (size_t)j * C));
  const lane_t k = DSPFN_LANES_FN(fround)(lane_div(total, lane_set((double)W)));
  lane_t a = lane_zero(), b = lane_zero();
  for (uint32_t j = 0; j < W; j++) {
    const lane_t e = lane_sub(lane_load_f32(r + (size_t)j * C), k);
    a = lane_add(a, e);
    b = lane_add(b, lane_mul(e, e));
  }
  *K = k;
  *s1 = a;
  *s2 = b;
}

/* variance, stddev and zScore with running sums: runMoments(). */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(moments)(const ws_params *p, double *values, size_t C, size_t c0, const float *src,
                                               float *dst, size_t frames, const int G, const int stat, const int exclude) {
  lane_t K[2], s1[2], s2[2];
  for (int g = 0; g < G; g++) {
    const size_t c = c0 + (size_t)g * LANES;
    K[g] = lane_load(values + c);
    s1[g] = lane_load(values + C + c);
    s2[g] = lane_load(values + 2 * C + c);
  }
  const uint32_t W = p->window;
  const lane_t eps = lane_set(p->epsilon);
  uint64_t count = p->count;
  uint32_t slot = (uint32_t)(count % W);
  uint64_t until_resync = p->resync - count % p->resync;
  for (size_t f = 0; f < frames; f++) {
    float *r = p->ring + (size_t)slot * C + c0;
    const int full = count >= W;
    lane_t x[2], y[2];
    for (int g = 0; g < G; g++) {
      x[g] = lane_load_f32(src + f * C + c0 + (size_t)g * LANES);
      if (exclude) {
        const double m = count < W ? (double)count : (double)W;
        y[g] = count == 0 ? lane_zero() : DSPFN_LANES_FN(zscore)(lane_sub(x[g], K[g]), s1[g], s2[g], m, eps);
      }
      const lane_t d = lane_sub(x[g], K[g]);
      const lane_t d_old = full ? lane_sub(lane_load_f32(r + (size_t)g * LANES), K[g]) : lane_zero();
      const lane_t a = lane_sub(d, d_old), b = lane_add(d, d_old);
      s1[g] = lane_add(s1[g], a);
      s2[g] = lane_add(s2[g], lane_mul(a, b));
      lane_store_f32(r + (size_t)g * LANES, x[g]);
    }
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--until_resync == 0) {
      until_resync = p->resync;
      for (int g = 0; g < G; g++) DSPFN_LANES_FN(resync_moments)(p, C, c0 + (size_t)g * LANES, &K[g], &s1[g], &s2[g]);
    }
    if (!exclude) {
      const double m = count < W ? (double)count : (double)W;
      for (int g = 0; g < G; g++) {
        if (stat == DSPFN_WS_ZSCORE) y[g] = DSPFN_LANES_FN(zscore)(lane_sub(x[g], K[g]), s1[g], s2[g], m, eps);
        else if (stat == DSPFN_WS_STDDEV) y[g] = lane_sqrt(DSPFN_LANES_FN(variance)(s1[g], s2[g], m));
        else y[g] = DSPFN_LANES_FN(variance)(s1[g], s2[g], m);
      }
    }
    for (int g = 0; g < G; g++) lane_store_f32(dst + f * C + c0 + (size_t)g * LANES, y[g]);
  }
  for (int g = 0; g < G; g++) {
    const size_t c = c0 + (size_t)g * LANES;
    lane_store(values + c, K[g]);
    lane_store(values + C + c, s1[g]);
    lane_store(values + 2 * C + c, s2[g]);
  }
}

/* directOutput(): the statistic of the min(end, W) samples before absolute index `end`, oldest first. */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(direct_output)(const ws_params *p, size_t C, size_t c, uint64_t end, lane_t x, const int stat) {
  const uint32_t W = p->window;
  const uint32_t m = end < W ? (uint32_t)end : W;
  const uint32_t first = (uint32_t)((end - m) % W);
  const float *r = p->ring + c;
  lane_t total = lane_zero();
  for (uint32_t j = 0, k = first; j < m; j++) {
    total = lane_add(total, lane_load_f32(r + (size_t)k * C));
    if (++k == W) k = 0;
  }
  const lane_t n = lane_set((double)m);
  const lane_t mean = lane_div(total, n);
  lane_t squares = lane_zero();
  for (uint32_t j = 0, k = first; j < m; j++) {
    const lane_t e = lane_sub(lane_load_f32(r + (size_t)k * C), mean);
    squares = lane_add(squares, lane_mul(e, e));
    if (++k == W) k = 0;
  }
  const lane_t v = lane_div(squares, n);
  if (stat == DSPFN_WS_VARIANCE) return v;
  const lane_t sd = lane_sqrt(v);
  if (stat == DSPFN_WS_STDDEV) return sd;
  return lane_div(lane_sub(x, mean), lane_max(sd, lane_set(p->epsilon)));
}

/* variance, stddev and zScore over windows of at most DSPFN_WS_DIRECT_MAX: runDirect(). */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(direct)(const ws_params *p, size_t C, size_t c0, const float *src, float *dst, size_t frames,
                                              const int G, const int stat, const int exclude) {
  const uint32_t W = p->window;
  uint64_t count = p->count;
  uint32_t slot = (uint32_t)(count % W);
  for (size_t f = 0; f < frames; f++) {
    float *r = p->ring + (size_t)slot * C + c0;
    lane_t x[2], y[2];
    for (int g = 0; g < G; g++) x[g] = lane_load_f32(src + f * C + c0 + (size_t)g * LANES);
    if (exclude) {
      for (int g = 0; g < G; g++) {
        y[g] = count == 0 ? lane_zero() : DSPFN_LANES_FN(direct_output)(p, C, c0 + (size_t)g * LANES, count, x[g], stat);
        lane_store_f32(r + (size_t)g * LANES, x[g]);
      }
      count++;
    } else {
      for (int g = 0; g < G; g++) lane_store_f32(r + (size_t)g * LANES, x[g]);
      count++;
      for (int g = 0; g < G; g++) y[g] = DSPFN_LANES_FN(direct_output)(p, C, c0 + (size_t)g * LANES, count, x[g], stat);
    }
    slot = slot + 1 == W ? 0 : slot + 1;
    for (int g = 0; g < G; g++) lane_store_f32(dst + f * C + c0 + (size_t)g * LANES, y[g]);
  }
}

/* meanAbsolute: runAbsolute(). */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(absolute)(const ws_params *p, double *values, size_t C, size_t c0, const float *src,
                                                float *dst, size_t frames, const int G) {
  lane_t s[2];
  for (int g = 0; g < G; g++) s[g] = lane_load(values + c0 + (size_t)g * LANES);
  const uint32_t W = p->window;
  uint64_t count = p->count;
  uint32_t slot = (uint32_t)(count % W);
  uint64_t until_resync = p->resync - count % p->resync;
  for (size_t f = 0; f < frames; f++) {
    float *r = p->ring + (size_t)slot * C + c0;
    const int full = count >= W;
    for (int g = 0; g < G; g++) {
      const lane_t x = lane_load_f32(src + f * C + c0 + (size_t)g * LANES);
      const lane_t old = full ? lane_abs(lane_load_f32(r + (size_t)g * LANES)) : lane_zero();
      s[g] = lane_add(lane_sub(s[g], old), lane_abs(x));
      lane_store_f32(r + (size_t)g * LANES, x);
    }
    slot = slot + 1 == W ? 0 : slot + 1;
    count++;
    if (--until_resync == 0) {
      until_resync = p->resync;
      for (int g = 0; g < G; g++) {
        const float *q = p->ring + c0 + (size_t)g * LANES;
        lane_t sum = lane_zero();
        for (uint32_t j = 0; j < W; j++) sum = lane_add(sum, lane_abs(lane_load_f32(q + (size_t)j * C)));
        s[g] = sum;
      }
    }
    const lane_t m = lane_set(count < W ? (double)count : (double)W);
    for (int g = 0; g < G; g++) lane_store_f32(dst + f * C + c0 + (size_t)g * LANES, lane_div(s[g], m));
  }
  for (int g = 0; g < G; g++) lane_store(values + c0 + (size_t)g * LANES, s[g]);
}

/* One group of G vectors: the statistic's loop, with its options as constants. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(group)(const ws_params *p, double *values, size_t C, size_t c0, const float *src, float *dst,
                                             size_t frames, const int G) {
  if (p->stat == DSPFN_WS_MEAN_ABSOLUTE) {
    DSPFN_LANES_FN(absolute)(p, values, C, c0, src, dst, frames, G);
  } else if (p->direct) {
    if (p->exclude) DSPFN_LANES_FN(direct)(p, C, c0, src, dst, frames, G, DSPFN_WS_ZSCORE, 1);
    else if (p->stat == DSPFN_WS_ZSCORE) DSPFN_LANES_FN(direct)(p, C, c0, src, dst, frames, G, DSPFN_WS_ZSCORE, 0);
    else if (p->stat == DSPFN_WS_STDDEV) DSPFN_LANES_FN(direct)(p, C, c0, src, dst, frames, G, DSPFN_WS_STDDEV, 0);
    else DSPFN_LANES_FN(direct)(p, C, c0, src, dst, frames, G, DSPFN_WS_VARIANCE, 0);
  } else {
    if (p->exclude) DSPFN_LANES_FN(moments)(p, values, C, c0, src, dst, frames, G, DSPFN_WS_ZSCORE, 1);
    else if (p->stat == DSPFN_WS_ZSCORE) DSPFN_LANES_FN(moments)(p, values, C, c0, src, dst, frames, G, DSPFN_WS_ZSCORE, 0);
    else if (p->stat == DSPFN_WS_STDDEV) DSPFN_LANES_FN(moments)(p, values, C, c0, src, dst, frames, G, DSPFN_WS_STDDEV, 0);
    else DSPFN_LANES_FN(moments)(p, values, C, c0, src, dst, frames, G, DSPFN_WS_VARIANCE, 0);
  }
}

/* Channels from c0 in whole vectors; returns the first channel left for a narrower path. */
static size_t DSPFN_LANES_FN(run)(const ws_params *p, double *values, size_t C, size_t c0, const float *src, float *dst,
                                  size_t frames) {
  size_t c = c0;
  for (; c + 2 * (size_t)LANES <= C; c += 2 * (size_t)LANES) DSPFN_LANES_FN(group)(p, values, C, c, src, dst, frames, 2);
  for (; c + (size_t)LANES <= C; c += (size_t)LANES) DSPFN_LANES_FN(group)(p, values, C, c, src, dst, frames, 1);
  return c;
}
