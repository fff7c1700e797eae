/*
 * The native stage contract: what every stage in layers/dsp/src/stages/<name>.c exports as
 * `const dspfn_stage_ops dspfn_<name>_ops`, and what binding.c calls (looked up by kind in the
 * generated table, stages/catalogue.gen.c). It mirrors the TypeScript StageKernel
 * (core/dsp/stages/kernel.ts); how to write a stage: core/dsp/stages/README.md.
 *
 * CMSIS-DSP style: the caller owns all memory (one block per kernel, 64-byte aligned, sized by
 * `check`), kernels never allocate, and functions that can fail return DSPFN_OK or a negative
 * status. Snapshot bytes are little-endian and equal to the TypeScript kernel's, so state moves
 * between backends, paths and CPUs.
 */
#ifndef DSPFN_STAGE_H
#define DSPFN_STAGE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* Snapshot fields are copied with memcpy; a big-endian target would need byte swapping. */
#error "dspfn snapshots are little-endian: add byte swapping before targeting a big-endian CPU"
#endif

enum {
  DSPFN_OK = 0,
  DSPFN_E_ARG = -1,         /* invalid parameter or channel count */
  DSPFN_E_MEM = -2,         /* the memory block is too small or misaligned */
  DSPFN_E_STATE_SIZE = -3,  /* snapshot buffer has the wrong length */
  DSPFN_E_STATE_SHAPE = -4, /* snapshot is for another channel count / window / tap count */
  DSPFN_E_STATE_VALUE = -5, /* snapshot holds a value no kernel can produce (e.g. count -1) */
};

typedef enum {
  DSPFN_SIMD_SCALAR = 0,
  DSPFN_SIMD_SSE2 = 1,
  DSPFN_SIMD_AVX2 = 2,
  DSPFN_SIMD_NEON = 3,
} dspfn_simd;

/* common/cpu.c */
dspfn_simd dspfn_simd_best(void);
int dspfn_simd_available(dspfn_simd simd);
const char *dspfn_simd_name(dspfn_simd simd);

/* Why a check or restore failed, in words the user sees (the binding throws it as the error message,
 * prefixed with nothing: say which stage when it helps, as the TypeScript kernel's message does). */
typedef struct {
  char text[256];
} dspfn_msg;

/* Writes the reason into *msg and returns status, so a check can `return dspfn_fail(msg, ...)`. */
int dspfn_fail(dspfn_msg *msg, int status, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* What `check` tells the caller about a kernel before it exists. */
typedef struct {
  uint32_t out_channels;
  size_t mem_bytes; /* the state block `init` lays out (the caller aligns it to 64 bytes) */
} dspfn_shape;

/* What `process` reports besides its status. */
typedef struct {
  size_t frames; /* frames written to dst: at most max_output_frames(frames in) */
  /* Rate-changing stages: where dst's first frame lies, in input frames from src's first frame
   * (StageKernel.firstOutputOffset); 0 for same-rate stages. Event stages: the index in the key's
   * stream of src's first frame (StageKernel.firstInputIndex). The binding keeps it for
   * firstOutputOffset(handle). */
  double first;
  /* Event stages (ops.events): set by the binding to room for max_output_frames values; process
   * writes the index in the key's stream of each event frame's sample (StageKernel.eventIndices).
   * NULL for other stages. */
  double *positions;
} dspfn_output;

typedef struct dspfn_stage_ops {
  /* The catalogue name ("movingAverage"); the binding checks it against the generated table and
   * the TypeScript loader against the catalogue. */
  const char *name;
  /* The layout `snapshot` writes and `restore` reads: the descriptor's stateVersion. Older layouts
   * are upgraded in TypeScript before they reach `restore`. */
  uint8_t state_version;

  /* Validates the packed params (core/dsp/stages/params.ts) for in_channels; fills *shape. Checks
   * everything init relies on: the binding may be called without the TypeScript schema. */
  int (*check)(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why);
  /* Lays out and zeroes the state in mem (shape.mem_bytes, 64-byte aligned), after a passing check. */
  int (*init)(void *mem, const double *params, size_t n_params, uint32_t in_channels);
  /* Most frames process may write for in_frames; NULL for same-rate stages (in_frames). */
  size_t (*max_output_frames)(const void *state, size_t in_frames);
  /* Consumes `frames` interleaved frames of src; writes out->frames frames of out_channels to dst
   * (room for max_output_frames) and nothing past them. dst may equal src (the same memory) when
   * the output is no longer than the input; no other overlap. */
  int (*process)(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
  size_t (*snapshot_bytes)(const void *state);
  /* Writes exactly snapshot_bytes(state) bytes: the TypeScript kernel's snapshot. */
  int (*snapshot)(const void *state, uint8_t *out, size_t out_bytes);
  /* Validates everything before changing anything: foreign, damaged or truncated bytes leave the
   * state as it was and return a DSPFN_E_STATE_* status with the reason in *why. */
  int (*restore)(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);
  /* 1: dst must never overlap src, even when the output is shorter (a spectrum's frame of outputs
   * is wider than the hop of input that completes it); the descriptor's `inPlace: false`. */
  uint8_t separate_output;
  /* 1: an event stage (rate kind 'events'): dst gets event frames [channel, kind code, value] and
   * out->positions their indices. The binding then needs a positions array from its caller. */
  uint8_t events;
  /* Optional (NULL): a stage-specific hook for its own tests (binding testHook). */
  int (*test_hook)(const void *state, const double *args, size_t n_args, float *out, size_t n_out, dspfn_simd simd);
} dspfn_stage_ops;

/* A family macro's ops table, dspfn_<stage>_ops: the stage file's own check and init with the
 * family's functions (state version 0). */
#define DSPFN_STAGE_OPS(stage, max_out, process_fn, bytes_fn, snapshot_fn, restore_fn, separate, emits_events) \
  const dspfn_stage_ops dspfn_##stage##_ops = {                                                              \
      .name = #stage,                                                                                        \
      .state_version = 0,                                                                                    \
      .check = check,                                                                                        \
      .init = init,                                                                                          \
      .max_output_frames = max_out,                                                                          \
      .process = process_fn,                                                                                 \
      .snapshot_bytes = bytes_fn,                                                                            \
      .snapshot = snapshot_fn,                                                                               \
      .restore = restore_fn,                                                                                 \
      .separate_output = separate,                                                                           \
      .events = emits_events,                                                                                \
      .test_hook = NULL,                                                                                     \
  }

/* A stage without state (gain, mix, select, rectify…): an empty snapshot, and restore refuses any bytes. */
static inline size_t dspfn_stateless_bytes(const void *state) {
  (void)state;
  return 0;
}

static inline int dspfn_stateless_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  (void)state;
  (void)out;
  return out_bytes == 0 ? DSPFN_OK : DSPFN_E_STATE_SIZE;
}

static inline int dspfn_stateless_restore(const char *stage, size_t in_bytes, dspfn_msg *why) {
  return in_bytes == 0 ? DSPFN_OK : dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s has no state, got %zu bytes", stage, in_bytes);
}

/* dspfn_<stage>_ops of a stateless stage: the stage file's check, init and process_fn. */
#define DSPFN_STATELESS_STAGE_OPS(stage, process_fn)                                      \
  static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) { \
    (void)state;                                                                        \
    (void)in;                                                                           \
    return dspfn_stateless_restore(#stage, in_bytes, why);                              \
  }                                                                                     \
  DSPFN_STAGE_OPS(stage, NULL, process_fn, dspfn_stateless_bytes, dspfn_stateless_snapshot, restore, 0, 0)

/* stages/catalogue.gen.c: ops by kind id (NULL for ids not in use). */
extern const dspfn_stage_ops *const dspfn_stage_table[];
extern const uint32_t dspfn_stage_table_size;

/* ---- helpers for stage files ---- */

#define DSPFN_INLINE static inline __attribute__((always_inline))

/* A whole number in [lo, hi] (params and counts arrive as float64). */
static inline int dspfn_whole(double v, double lo, double hi) {
  return v >= lo && v <= hi && (double)(int64_t)v == v;
}

/* Little-endian fields of snapshots (the host is little-endian, see above). */
static inline uint8_t *dspfn_put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); return p + 4; }
static inline uint8_t *dspfn_put_f64(uint8_t *p, double v) { memcpy(p, &v, 8); return p + 8; }
static inline uint32_t dspfn_get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline double dspfn_get_f64(const uint8_t *p) { double v; memcpy(&v, p, 8); return v; }

/* A sample count as snapshots store it (f64) is a whole number in 0 .. 2^53. */
static inline int dspfn_valid_count(double count) { return dspfn_whole(count, 0, 9007199254740992.0); }

#endif /* DSPFN_STAGE_H */
