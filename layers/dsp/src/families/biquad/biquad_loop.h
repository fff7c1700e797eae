/*
 * The biquad cascade's frame loops for the lane driver (common/lanes.h includes this once per
 * instruction set, after biquad.c's section step for that set). No include guard.
 *
 * Up to DSPFN_BIQUAD_HELD sections run with the whole cascade's history and coefficients in
 * registers (the section count a compile-time constant after inlining); longer cascades keep the
 * history in a local array. Either way each frame's samples are read before its outputs are
 * written and only those positions are written, so dst may equal src.
 */
/* Keeps the compiler from converting an input sample from float32 again wherever its history copy
 * is used (GCC rematerialises the conversion instead of keeping a register), nothing else. */
#ifndef DSPFN_BIQUAD_OPAQUE
#if defined(__x86_64__)
#define DSPFN_BIQUAD_OPAQUE(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define DSPFN_BIQUAD_OPAQUE(v) __asm__("" : "+w"(v))
#else
#define DSPFN_BIQUAD_OPAQUE(v) ((void)0)
#endif
#endif

#ifndef DSPFN_BIQUAD_HELD
#define DSPFN_BIQUAD_HELD 4
#endif

/* G vectors of LANES channels from c0 (run uses G = 1), S sections (1..HELD): both constants after inlining. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(held)(const biquad_params *p, double *state, size_t C, size_t c0, const float *src,
                                            float *dst, size_t frames, const int G, const int S) {
  lane_t b0[DSPFN_BIQUAD_HELD], b1[DSPFN_BIQUAD_HELD], b2[DSPFN_BIQUAD_HELD], a1[DSPFN_BIQUAD_HELD], a2[DSPFN_BIQUAD_HELD];
  for (int s = 0; s < S; s++) {
    b0[s] = lane_set(p->coef[s].b0);
    b1[s] = lane_set(p->coef[s].b1);
    b2[s] = lane_set(p->coef[s].b2);
    a1[s] = lane_set(p->coef[s].a1);
    a2[s] = lane_set(p->coef[s].a2);
  }
  /* h[g][2k], h[g][2k+1]: the last two inputs of section k (k = S: the cascade's last outputs). */
  lane_t h[2][2 * (DSPFN_BIQUAD_HELD + 1)];
  for (int g = 0; g < G; g++) {
    for (int j = 0; j < 2 * (S + 1); j++) h[g][j] = lane_load(state + (size_t)j * C + c0 + (size_t)g * LANES);
  }
  for (size_t f = 0; f < frames; f++) {
    for (int g = 0; g < G; g++) {
      const size_t at = f * C + c0 + (size_t)g * LANES;
      lane_t x = lane_load_f32(src + at);
      DSPFN_BIQUAD_OPAQUE(x);
      for (int s = 0; s < S; s++) {
        const lane_t y = DSPFN_LANES_FN(section)(b0[s], b1[s], b2[s], a1[s], a2[s], x, h[g][2 * s], h[g][2 * s + 1],
                                                 h[g][2 * s + 2], h[g][2 * s + 3]);
        h[g][2 * s + 1] = h[g][2 * s];
        h[g][2 * s] = x;
        x = y;
      }
      h[g][2 * S + 1] = h[g][2 * S];
      h[g][2 * S] = x;
      lane_store_f32(dst + at, x);
    }
  }
  for (int g = 0; g < G; g++) {
    for (int j = 0; j < 2 * (S + 1); j++) lane_store(state + (size_t)j * C + c0 + (size_t)g * LANES, h[g][j]);
  }
}

/* One vector of LANES channels from c0, any number of sections: the history in a local array. */
static void DSPFN_LANES_FN(long)(const biquad_params *p, double *state, size_t C, size_t c0, const float *src, float *dst,
                                 size_t frames) {
  const size_t slots = BIQUAD_SLOTS(p->sections, 2);
  lane_t h[2 * (DSPFN_BIQUAD_MAX_SECTIONS + 1)];
  for (size_t j = 0; j < slots; j++) h[j] = lane_load(state + j * C + c0);
  for (size_t f = 0; f < frames; f++) {
    const size_t at = f * C + c0;
    lane_t x = lane_load_f32(src + at);
    DSPFN_BIQUAD_OPAQUE(x);
    for (size_t s = 0; s < p->sections; s++) {
      const biquad_coef *k = p->coef + s;
      const lane_t y = DSPFN_LANES_FN(section)(lane_set(k->b0), lane_set(k->b1), lane_set(k->b2), lane_set(k->a1), lane_set(k->a2), x,
                                               h[2 * s], h[2 * s + 1], h[2 * s + 2], h[2 * s + 3]);
      h[2 * s + 1] = h[2 * s];
      h[2 * s] = x;
      x = y;
    }
    h[slots - 1] = h[slots - 2];
    h[slots - 2] = x;
    lane_store_f32(dst + at, x);
  }
  for (size_t j = 0; j < slots; j++) lane_store(state + j * C + c0, h[j]);
}

/* Vectors of S held sections, one at a time (two interleaved measured no faster: the register
 * pressure of two cascades costs what the overlap gains). */
#define DSPFN_BIQUAD_RUN_HELD(S)                                                                                          \
  do {                                                                                                                  \
    for (; c + (size_t)LANES <= C; c += (size_t)LANES) DSPFN_LANES_FN(held)(p, state, C, c, src, dst, frames, 1, S);        \
  } while (0)

/* Channels from c0 in whole vectors; returns the first channel left for a narrower path. */
static size_t DSPFN_LANES_FN(run)(const biquad_params *p, double *state, size_t C, size_t c0, const float *src, float *dst,
                                  size_t frames) {
  size_t c = c0;
  switch (p->sections) {
    case 1: DSPFN_BIQUAD_RUN_HELD(1); break;
    case 2: DSPFN_BIQUAD_RUN_HELD(2); break;
    case 3: DSPFN_BIQUAD_RUN_HELD(3); break;
    case 4: DSPFN_BIQUAD_RUN_HELD(4); break;
    default:
      for (; c + (size_t)LANES <= C; c += (size_t)LANES) DSPFN_LANES_FN(long)(p, state, C, c, src, dst, frames);
      break;
  }
  return c;
}

#undef DSPFN_BIQUAD_RUN_HELD
