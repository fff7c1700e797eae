/*
 * The window features' loops, included by common/lanes.h once per instruction set (after the
 * stage's terms and output for that set): LANES channels at a time, each lane performing the
 * TypeScript kernel's operations on its channel (window-features.kernel.ts). No include guard.
 */
#define WF_K DSPFN_WF_SUMS
#define WF_H DSPFN_WF_HISTORY

/* The terms of sample a (absolute index) at ring slot `slot`, stored at block position i of the
 * terms array: 0 until H samples precede it. Restore only (the hot loop has the sample at hand). */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_terms_at)(const DSPFN_LANES_PARAMS *p, dspfn_wf_t *S, size_t c0, uint64_t a, size_t slot, size_t i) {
  const size_t C = S->channels, W = S->window, R = S->ring_len;
  lane_t t[WF_K];
  if (!dspfn_wf_has_history(a, WF_H)) {
    for (int k = 0; k < WF_K; k++) t[k] = lane_zero();
  } else {
    const lane_t x = lane_load_f32(S->ring + slot * C + c0);
    const lane_t h1 = WF_H >= 1 ? lane_load_f32(S->ring + dspfn_wf_back(slot, 1, R) * C + c0) : lane_zero();
    const lane_t h2 = WF_H >= 2 ? lane_load_f32(S->ring + dspfn_wf_back(slot, 2, R) * C + c0) : lane_zero();
    DSPFN_LANES_FN(wf_terms)(p, x, h1, h2, (double)i, t);
  }
  for (int k = 0; k < WF_K; k++) lane_store(S->t + ((size_t)k * W + i) * C + c0, t[k]);
}

/* Suffix sums of the block whose terms S->t holds, positions W − 1 down to `lowest` (>= 1). */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_rebuild)(dspfn_wf_t *S, size_t c0, size_t lowest) {
  const size_t C = S->channels, W = S->window;
  for (int k = 0; k < WF_K; k++) {
    const double *t = S->t + (size_t)k * W * C + c0;
    double *q = S->q + (size_t)k * (W + 1) * C + c0;
    lane_t acc = lane_zero();
    for (size_t i = W - 1; i >= lowest; i--) {
      acc = lane_add(acc, lane_load(t + i * C));
      lane_store(q + i * C, acc);
    }
  }
}

/* After a restore, from the ring (count = S->count): the previous block's terms at positions
 * pos + 1 … W − 1 and its suffix sums there; the current block's terms at 0 … pos − 1 and their
 * prefix sums. Only the scalar instance is called (restore has no SIMD path); inline, so the
 * others cost nothing. */
static inline void DSPFN_LANES_FN(wf_derive)(const DSPFN_LANES_PARAMS *p, dspfn_wf_t *S, size_t c0) {
  const size_t C = S->channels, W = S->window, R = S->ring_len;
  const size_t pos = (size_t)(S->count % W);
  const uint64_t start = S->count - pos;
  if (start >= W) {
    for (size_t i = W - 1; i > pos; i--) DSPFN_LANES_FN(wf_terms_at)(p, S, c0, start - W + i, (size_t)((start - W + i) % R), i);
    DSPFN_LANES_FN(wf_rebuild)(S, c0, pos + 1);
  }
  for (size_t i = 0; i < pos; i++) DSPFN_LANES_FN(wf_terms_at)(p, S, c0, start + i, (size_t)((start + i) % R), i);
  for (int k = 0; k < WF_K; k++) {
    lane_t acc = lane_zero();
    for (size_t i = 0; i < pos; i++) acc = lane_add(acc, lane_load(S->t + ((size_t)k * W + i) * C + c0));
    lane_store(S->p + (size_t)k * C + c0, acc);
  }
}

/* LANES channels from c0 through `frames` frames. Each frame's sample is read before its output is
 * stored, at the same position: dst may equal src. */
static void DSPFN_LANES_FN(wf_group)(const DSPFN_LANES_PARAMS *p, dspfn_wf_t *S, size_t c0, const float *src, void *dst,
                                     size_t frames) {
  const size_t C = S->channels, W = S->window, R = S->ring_len;
  uint64_t a = S->count;
  size_t pos = (size_t)(a % W), slot = (size_t)(a % R);
  lane_t s[WF_K];
  for (int k = 0; k < WF_K; k++) s[k] = lane_load(S->p + (size_t)k * C + c0);
  lane_t h1 = WF_H >= 1 ? lane_load_f32(S->ring + dspfn_wf_back(slot, 1, R) * C + c0) : lane_zero();
  lane_t h2 = WF_H >= 2 ? lane_load_f32(S->ring + dspfn_wf_back(slot, 2, R) * C + c0) : lane_zero();
  for (size_t f = 0; f < frames; f++) {
    const lane_t x = lane_load_f32(src + f * C + c0);
    if (pos == 0) {
      for (int k = 0; k < WF_K; k++) s[k] = lane_zero();
    }
    lane_t t[WF_K], q[WF_K];
    if (dspfn_wf_has_history(a, WF_H)) {
      DSPFN_LANES_FN(wf_terms)(p, x, h1, h2, (double)pos, t);
    } else {
      for (int k = 0; k < WF_K; k++) t[k] = lane_zero();
    }
    for (int k = 0; k < WF_K; k++) {
      lane_store(S->t + ((size_t)k * W + pos) * C + c0, t[k]);
      s[k] = lane_add(s[k], t[k]);
      q[k] = lane_load(S->q + ((size_t)k * (W + 1) + pos + 1) * C + c0);
    }
    const lane_t y = DSPFN_LANES_FN(wf_output)(p, S, q, s, pos, a);
    lane_store_f32(S->ring + slot * C + c0, x);
    DSPFN_LANES_FN(wf_store)(dst, f, C, c0, y);
    h2 = h1;
    h1 = x;
    a++;
    slot = slot + 1 == R ? 0 : slot + 1;
    if (++pos == W) {
      pos = 0;
      DSPFN_LANES_FN(wf_rebuild)(S, c0, 1);
    }
  }
  for (int k = 0; k < WF_K; k++) lane_store(S->p + (size_t)k * C + c0, s[k]);
}

/* Channels from c0 in whole vectors; returns the first channel left for a narrower path. */
static size_t DSPFN_LANES_FN(wf_run)(const DSPFN_LANES_PARAMS *p, dspfn_wf_t *S, size_t c0, const float *src, void *dst,
                                     size_t frames) {
  size_t c = c0;
  for (; c + (size_t)LANES <= S->channels; c += (size_t)LANES) DSPFN_LANES_FN(wf_group)(p, S, c, src, dst, frames);
  return c;
}

#undef WF_K
#undef WF_H
