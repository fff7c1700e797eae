/*
 * The loops of extrema.c, included by common/lanes.h once per instruction set (DSPFN_LANES_LOOP):
 * LANES channels per vector, G = 1 or 2 vectors per frame loop. The comparisons of ExtremaKernel
 * (extrema.kernel.ts) per lane, in its order: best(a, b) = lane_max(a, b) (a > b ? a : b) for max,
 * lane_min for min. Each frame's samples are read before its outputs are written, so dst may equal
 * src. No include guard: each pass defines its own functions.
 */

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(best)(lane_t a, lane_t b, const int is_max) {
  return is_max ? lane_max(a, b) : lane_min(a, b);
}

/* suf[j] = best(ring[j], suf[j + 1]) for j = W−1 down to 0, for the LANES channels from c: suffixes(c, 0). */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(suffixes)(const ex_params *p, size_t C, size_t c, const int is_max) {
  const uint32_t W = p->window;
  const float *r = p->ring + c;
  float *s = p->suffix + c;
  lane_t acc = lane_load_f32(r + (size_t)(W - 1) * C);
  lane_store_f32(s + (size_t)(W - 1) * C, acc);
  for (uint32_t j = W - 1; j-- > 0;) {
    acc = DSPFN_LANES_FN(best)(lane_load_f32(r + (size_t)j * C), acc, is_max);
    lane_store_f32(s + (size_t)j * C, acc);
  }
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(extrema)(const ex_params *p, double *pre_values, size_t C, size_t c0, const float *src,
                                               float *dst, size_t frames, const int G, const int is_max) {
  lane_t pre[2];
  for (int g = 0; g < G; g++) pre[g] = lane_load(pre_values + c0 + (size_t)g * LANES);
  const uint32_t W = p->window;
  uint64_t count = p->count;
  uint32_t pos = (uint32_t)(count % W);
  for (size_t f = 0; f < frames; f++) {
    const int combine = count >= W && pos != W - 1;
    for (int g = 0; g < G; g++) {
      const size_t at = f * C + c0 + (size_t)g * LANES;
      const lane_t x = lane_load_f32(src + at);
      lane_store_f32(p->ring + (size_t)pos * C + c0 + (size_t)g * LANES, x);
      pre[g] = pos == 0 ? x : DSPFN_LANES_FN(best)(pre[g], x, is_max);
      const lane_t y =
          combine ? DSPFN_LANES_FN(best)(lane_load_f32(p->suffix + (size_t)(pos + 1) * C + c0 + (size_t)g * LANES), pre[g], is_max) : pre[g];
      lane_store_f32(dst + at, y);
    }
    count++;
    if (++pos == W) {
      pos = 0;
      for (int g = 0; g < G; g++) DSPFN_LANES_FN(suffixes)(p, C, c0 + (size_t)g * LANES, is_max);
    }
  }
  for (int g = 0; g < G; g++) lane_store(pre_values + c0 + (size_t)g * LANES, pre[g]);
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(group)(const ex_params *p, double *pre_values, size_t C, size_t c0, const float *src, float *dst,
                                             size_t frames, const int G) {
  if (p->is_max) DSPFN_LANES_FN(extrema)(p, pre_values, C, c0, src, dst, frames, G, 1);
  else DSPFN_LANES_FN(extrema)(p, pre_values, C, c0, src, dst, frames, G, 0);
}

/* Channels from c0 in whole vectors; returns the first channel left for a narrower path. */
static size_t DSPFN_LANES_FN(run)(const ex_params *p, double *pre_values, size_t C, size_t c0, const float *src, float *dst,
                                  size_t frames) {
  size_t c = c0;
  for (; c + 2 * (size_t)LANES <= C; c += 2 * (size_t)LANES) DSPFN_LANES_FN(group)(p, pre_values, C, c, src, dst, frames, 2);
  for (; c + (size_t)LANES <= C; c += (size_t)LANES) DSPFN_LANES_FN(group)(p, pre_values, C, c, src, dst, frames, 1);
  return c;
}
