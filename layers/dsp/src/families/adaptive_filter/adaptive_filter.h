/*
 * The adaptive-filter family: nlms (normalised) and lms on [x, d] frames, output e = d − w·x. See
 * adaptive_filter.c for the numerics (scalar bit-exact; SIMD within a stated bound).
 */
#ifndef DSPFN_ADAPTIVE_FILTER_H
#define DSPFN_ADAPTIVE_FILTER_H

#include "common/stage.h"

/* Mirrors MAX_TAPS in core/dsp/stages/families/adaptive-filter/adaptive-filter.options.ts. */
#define DSPFN_AF_MAX_TAPS 4096u

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
int dspfn_nlms_init(dspfn_nlms_t *S, uint32_t taps, double mu, double eps, int normalised, void *mem, size_t mem_bytes);
/* src holds `frames` frames [x, d]; dst receives `frames` errors e = d - w·x. dst may equal src. */
int dspfn_nlms_process(dspfn_nlms_t *S, const float *src, float *dst, size_t frames, dspfn_simd simd);
int dspfn_nlms_process_scalar(dspfn_nlms_t *S, const float *src, float *dst, size_t frames);
size_t dspfn_nlms_snapshot_bytes(const dspfn_nlms_t *S);
int dspfn_nlms_snapshot(const dspfn_nlms_t *S, uint8_t *out, size_t out_bytes);
int dspfn_nlms_restore(dspfn_nlms_t *S, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

/* The ops adapters behind stages/nlms.c and stages/lms.c. */
int dspfn_af_check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why,
                   const char *name);
int dspfn_af_init_block(void *mem, const double *params, int normalised);
int dspfn_af_ops_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out);
size_t dspfn_af_ops_snapshot_bytes(const void *state);
int dspfn_af_ops_snapshot(const void *state, uint8_t *out, size_t out_bytes);
int dspfn_af_ops_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why);

#endif /* DSPFN_ADAPTIVE_FILTER_H */
