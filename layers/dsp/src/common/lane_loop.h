/*
 * The lane driver's loops, included by common/lanes.h once per instruction set (DSPFN_LANES_ISA)
 * right after the stage's step for that set. No include guard: each pass defines its own functions.
 */
#if DSPFN_LANES_SLOTS > 0

/* G vectors of LANES channels from c0 (G = 1 or 2, a constant after inlining); the state stays in
 * registers for the whole call. Each frame's samples are read before its outputs are written, and
 * only those positions are written, so dst may equal src. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(group)(const DSPFN_LANES_PARAMS *p, double *state, size_t C, size_t c0,
                                             const float *src, float *dst, size_t frames, const int G) {
  lane_t s[2][DSPFN_LANES_SLOTS];
  for (int g = 0; g < G; g++) {
    for (int k = 0; k < DSPFN_LANES_SLOTS; k++) s[g][k] = lane_load(state + (size_t)k * C + c0 + (size_t)g * LANES);
  }
  for (size_t f = 0; f < frames; f++) {
    for (int g = 0; g < G; g++) {
      const size_t at = f * C + c0 + (size_t)g * LANES;
      lane_store_f32(dst + at, DSPFN_LANE_STEP(p, s[g], lane_load_f32(src + at)));
    }
  }
  for (int g = 0; g < G; g++) {
    for (int k = 0; k < DSPFN_LANES_SLOTS; k++) lane_store(state + (size_t)k * C + c0 + (size_t)g * LANES, s[g][k]);
  }
}

/* Channels from c0 in whole vectors; returns the first channel left for a narrower path. */
static size_t DSPFN_LANES_FN(run)(const DSPFN_LANES_PARAMS *p, double *state, size_t C, size_t c0, const float *src,
                                  float *dst, size_t frames) {
  size_t c = c0;
  for (; c + 2 * (size_t)LANES <= C; c += 2 * (size_t)LANES) DSPFN_LANES_FN(group)(p, state, C, c, src, dst, frames, 2);
  for (; c + (size_t)LANES <= C; c += (size_t)LANES) DSPFN_LANES_FN(group)(p, state, C, c, src, dst, frames, 1);
  return c;
}

#else

/* Stateless: lanes are consecutive samples, whatever their channel; returns the first sample left. */
static size_t DSPFN_LANES_FN(run)(const DSPFN_LANES_PARAMS *p, size_t from, size_t n, const float *src, float *dst) {
  size_t i = from;
  for (; i + 2 * (size_t)LANES <= n; i += 2 * (size_t)LANES) {
    const lane_t a = lane_load_f32(src + i), b = lane_load_f32(src + i + LANES);
    lane_store_f32(dst + i, DSPFN_LANE_STEP(p, NULL, a));
    lane_store_f32(dst + i + LANES, DSPFN_LANE_STEP(p, NULL, b));
  }
  for (; i + (size_t)LANES <= n; i += (size_t)LANES) lane_store_f32(dst + i, DSPFN_LANE_STEP(p, NULL, lane_load_f32(src + i)));
  return i;
}

#endif
