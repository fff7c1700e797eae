/*
 * The event stages' shared C (peaks, crossings, clipDetect): the state every one keeps (the key's
 * sample count and a few float64 slots per channel), its snapshot layout, the event frames they
 * write, and `dspfn_ev_find`, the vector scan that skips blocks of samples where nothing can
 * happen. The C side of core/dsp/stages/families/events/event-kernel.ts.
 *
 * State bytes: u32 channels · u32 0 · f64 count (frames seen) · per channel its slots (f64).
 * Event frame: [channel, kind code, value] (float32), its sample's index in out->positions.
 */
#ifndef DSPFN_EVENTS_H
#define DSPFN_EVENTS_H

#include "common/stage.h"

#define DSPFN_EV_MAX_CHANNELS 4096u

typedef struct {
  uint32_t channels;
  uint32_t slots;
  double count; /* frames seen: the index of the next input frame */
  double *s;    /* per channel `slots` values: s[c * slots + k] */
} dspfn_ev_state;

#define DSPFN_EV_HEADER ((sizeof(dspfn_ev_state) + 63) & ~(size_t)63)

/* Validates the channel count and sets the shape (event frames out; state for `slots` per channel). */
int dspfn_ev_check(const char *stage, uint32_t in_channels, uint32_t slots, dspfn_shape *shape, dspfn_msg *why);

/* Lays out the state after the stage's own struct of `own_bytes` at the start of mem; every
 * channel's slots start as `initial`. Returns the family state inside mem. */
dspfn_ev_state *dspfn_ev_init(void *mem, size_t own_bytes, uint32_t in_channels, uint32_t slots, const double *initial);

/* Bytes mem needs for a stage struct of `own_bytes`. */
size_t dspfn_ev_mem_bytes(size_t own_bytes, uint32_t in_channels, uint32_t slots);

size_t dspfn_ev_snapshot_bytes(const dspfn_ev_state *S);
int dspfn_ev_snapshot(const dspfn_ev_state *S, uint8_t *out, size_t out_bytes);

/* Why a channel's slots cannot come from the stage after `count` frames (written to why), or 0
 * when they can. */
typedef int (*dspfn_ev_invalid)(const void *stage_state, const double *slots, double count, dspfn_msg *why);

/* Validates all of `in` (shape, count, every channel through `invalid`) before changing anything. */
int dspfn_ev_restore(dspfn_ev_state *S, const char *stage, const void *stage_state, dspfn_ev_invalid invalid,
                     const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* Event j: the frame [channel, code, value] and its index. */
DSPFN_INLINE void dspfn_ev_emit(float *dst, double *positions, size_t j, uint32_t channel, float code, float value, double index) {
  dst[3 * j] = (float)channel;
  dst[3 * j + 1] = code;
  dst[3 * j + 2] = value;
  positions[j] = index;
}

/*
 * The first i in [from, to) where x[i] may matter: with inside = 0, where !(a < x[i] && x[i] < b)
 * (outside the open interval); with inside = 1, where !(x[i] <= a || x[i] >= b) (inside it). NaN
 * always stops the scan. Returns `to` when none. Only a speed-up: the caller then takes every
 * decision sample by sample, so any path (scalar, SSE2, AVX2, NEON) gives the same events.
 */
size_t dspfn_ev_find(const float *x, size_t from, size_t to, float a, float b, int inside, dspfn_simd simd);

/* Float32 bounds that decide a float64 comparison for every float32 x:
 * x > t ⟺ x >= dspfn_ev_above(t);  x >= t ⟺ x >= dspfn_ev_at_least(t);  x <= t ⟺ x <= dspfn_ev_at_most(t). */
float dspfn_ev_at_least(double t);
float dspfn_ev_at_most(double t);
float dspfn_ev_above(double t);

/* After a scan that found nothing for this many frames or fewer, take that many frames one by one
 * before scanning again (dense events: the scan would stop at once). */
#define DSPFN_EV_DENSE 8u

/* Ends a process() call: the output's first input index, the frames seen, the events written. */
DSPFN_INLINE void dspfn_ev_done(dspfn_ev_state *S, dspfn_output *out, size_t frames, size_t written) {
  out->first = S->count;
  S->count += (double)frames;
  out->frames = written;
}

/*
 * The wiring every event stage shares, from its state struct `type` (with a `dspfn_ev_state *ev`
 * member) and its own check, init, process and invalid_channel (a dspfn_ev_invalid): the output
 * bound (at most one event per channel and frame), snapshot/restore through the family state, and
 * the ops table dspfn_<stage>_ops.
 */
#define DSPFN_EV_STAGE(stage, type)                                                                             \
  static size_t max_output_frames(const void *state, size_t in_frames) {                                        \
    return in_frames * ((const type *)state)->ev->channels;                                                     \
  }                                                                                                             \
  static size_t snapshot_bytes(const void *state) { return dspfn_ev_snapshot_bytes(((const type *)state)->ev); } \
  static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {                                      \
    return dspfn_ev_snapshot(((const type *)state)->ev, out, out_bytes);                                        \
  }                                                                                                             \
  static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {                         \
    type *own = (type *)state;                                                                                  \
    return dspfn_ev_restore(own->ev, #stage, own, invalid_channel, in, in_bytes, why);                          \
  }                                                                                                             \
  const dspfn_stage_ops dspfn_##stage##_ops = {                                                                 \
      .name = #stage,                                                                                           \
      .state_version = 0,                                                                                       \
      .check = check,                                                                                           \
      .init = init,                                                                                             \
      .max_output_frames = max_output_frames,                                                                   \
      .process = process,                                                                                       \
      .snapshot_bytes = snapshot_bytes,                                                                         \
      .snapshot = snapshot,                                                                                     \
      .restore = restore,                                                                                       \
      .separate_output = 1,                                                                                     \
      .events = 1,                                                                                              \
      .test_hook = NULL,                                                                                        \
  }

#endif /* DSPFN_EVENTS_H */
