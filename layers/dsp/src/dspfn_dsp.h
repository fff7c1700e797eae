/*
 * dspfn native DSP kernels: the C counterparts of the TypeScript kernels in core/dsp/stages.
 *
 * One stage per file, CMSIS-DSP style: a state struct, `_mem_bytes` (how much memory the caller
 * must provide), `_init`, `_process`, `_snapshot_bytes`, `_snapshot`, `_restore`. Kernels never
 * allocate; every function returns DSPFN_OK or a negative status.
 *
 * Snapshot bytes are exactly those of the TypeScript kernels (little-endian), so state moves
 * between the TypeScript, scalar and SIMD paths and between x86-64 and arm64.
 */
#ifndef DSPFN_DSP_H
#define DSPFN_DSP_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* Snapshot fields are copied with memcpy; a big-endian target would need byte swapping. */
#error "dspfn snapshots are little-endian: add byte swapping before targeting a big-endian CPU"
#endif

enum {
  DSPFN_OK = 0,
  DSPFN_E_ARG = -1,         /* invalid parameter (window, taps, channels, mu, eps) */
  DSPFN_E_MEM = -2,         /* caller's memory block is too small or misaligned */
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

/* cpu.c */
dspfn_simd dspfn_simd_best(void);
int dspfn_simd_available(dspfn_simd simd);
const char *dspfn_simd_name(dspfn_simd simd);

/* ---- moving_window.c: movingAverage (squared = 0) and rms (squared = 1) ---- */

/* Mirrors RESYNC_INTERVAL in core/dsp/stages/moving-window.ts. */
#define DSPFN_MW_RESYNC_INTERVAL 65536u
/* Mirrors DIRECT_WINDOW_MAX: rms windows up to this length sum each output's window directly. */
#define DSPFN_MW_DIRECT_MAX 8u
#define DSPFN_MW_MAX_WINDOW 1048576u
#define DSPFN_MW_MAX_CHANNELS 4096u

typedef struct {
  uint32_t channels;
  uint32_t window;
  int squared;
  uint64_t *counts; /* samples seen, per channel */
  double *sums;     /* running sum (of squares for rms), per channel; unused in the direct rms mode */
  /* Slot-major, ring[slot * channels + c], so the channels of one frame are adjacent and load as
   * one vector. Snapshots use the TypeScript channel-major order. */
  float *ring;
  /* One-channel path: blocks left to run sequentially after an inexact one. A speed hint only,
   * never part of a snapshot. */
  uint32_t inexact_backoff;
} dspfn_mw_t;

size_t dspfn_mw_mem_bytes(uint32_t channels, uint32_t window);
int dspfn_mw_init(dspfn_mw_t *S, uint32_t channels, uint32_t window, int squared, void *mem,
                  size_t mem_bytes);
/* src and dst hold `frames` interleaved frames of `channels`; dst may equal src. */
int dspfn_mw_process(dspfn_mw_t *S, const float *src, float *dst, size_t frames, dspfn_simd simd);
int dspfn_mw_process_scalar(dspfn_mw_t *S, const float *src, float *dst, size_t frames);
size_t dspfn_mw_snapshot_bytes(const dspfn_mw_t *S);
int dspfn_mw_snapshot(const dspfn_mw_t *S, uint8_t *out, size_t out_bytes);
int dspfn_mw_restore(dspfn_mw_t *S, const uint8_t *in, size_t in_bytes);
/* Test hook: the SIMD output step alone, on given float64 sums. */
int dspfn_mw_test_outputs(const double *s, float *dst, size_t m, double n, int squared, dspfn_simd simd);

/* ---- nlms.c: nlms (normalised = 1) and lms (normalised = 0) ---- */

#define DSPFN_NLMS_MAX_TAPS 4096u

typedef struct {
  uint32_t taps;
  int normalised;
  double mu;
  double eps;
  double count; /* frames seen; a double, as in the TypeScript kernel, so it round-trips */
  float *weights;
  /* History newest first is hist[pos .. pos + taps). New samples are written below pos; when pos
   * reaches 0 the newest taps-1 samples move back up (once per `spare` samples) instead of
   * shifting the whole history every sample. */
  float *hist;
  uint32_t pos;
  uint32_t spare;
} dspfn_nlms_t;

size_t dspfn_nlms_mem_bytes(uint32_t taps);
int dspfn_nlms_init(dspfn_nlms_t *S, uint32_t taps, double mu, double eps, int normalised,
                    void *mem, size_t mem_bytes);
/* src holds `frames` frames [x, d]; dst receives `frames` errors e = d - w·x. dst may equal src. */
int dspfn_nlms_process(dspfn_nlms_t *S, const float *src, float *dst, size_t frames,
                       dspfn_simd simd);
int dspfn_nlms_process_scalar(dspfn_nlms_t *S, const float *src, float *dst, size_t frames);
size_t dspfn_nlms_snapshot_bytes(const dspfn_nlms_t *S);
int dspfn_nlms_snapshot(const dspfn_nlms_t *S, uint8_t *out, size_t out_bytes);
int dspfn_nlms_restore(dspfn_nlms_t *S, const uint8_t *in, size_t in_bytes);

#endif /* DSPFN_DSP_H */
