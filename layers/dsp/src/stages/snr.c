#ifndef DSPFN_LANES_PASS
/*
 * snr({ window }): input [s0, n0, s1, n1, …]; y = 10·log10(max(Σs², F) / max(Σn², F)) over the last
 * W frames (F = 2^-1022, so silence gives finite values). The two channels' sums are the window
 * features' block sums (families/window_features: the channels in float64 lanes, a 2-lane vector on
 * SSE2 and NEON), computed for up to SNR_CHUNK frames into a scratch; then the decibels of the
 * chunk with consecutive frames in float64 lanes (common/lane_log.h: the logarithm of
 * core/dsp/stages/portable-log.ts, bit for bit). The C counterpart of
 * core/dsp/stages/snr/snr.kernel.ts.
 */
#include "common/stage.h"

typedef struct {
  double unused;
} snr_params;

#define SNR_CHUNK 256u

#define DSPFN_LANES_STAGE snr
#define DSPFN_LANES_PARAMS snr_params
#define DSPFN_LANES_FILE "stages/snr.c"
#define DSPFN_WF_HISTORY 0
#define DSPFN_WF_SUMS 1
#include "families/window_features/lanes.h"

static snr_params params_of(const dspfn_wf_t *S) {
  (void)S;
  const snr_params none = {0};
  return none;
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 1 || !dspfn_whole(params[0], 1, DSPFN_WF_MAX_WINDOW)) {
    return dspfn_fail(why, DSPFN_E_ARG, "snr needs params [window], a whole window in 1..%u", DSPFN_WF_MAX_WINDOW);
  }
  if (in_channels != 2) {
    return dspfn_fail(why, DSPFN_E_ARG, "snr needs 2-channel interleaved input [s0, n0, s1, n1, …] (signal, noise), but its input has %u channel(s)",
                      in_channels);
  }
  shape->out_channels = 1;
  return dspfn_wf_check("snr", (uint32_t)params[0], 1, 2, 0, 1, shape, why);
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  dspfn_wf_init(mem, in_channels, (uint32_t)params[0], 0, 1);
  return DSPFN_OK;
}

/* The decibels of n frames' sums (ps, pn) into dst, the widest path first. */
static void snr_db(const double *ps, const double *pn, float *dst, size_t n, dspfn_simd simd) {
  size_t i = 0;
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      i = snr_db_run_avx2(ps, pn, dst, i, n);
      __attribute__((fallthrough));
    case DSPFN_SIMD_SSE2:
      i = snr_db_run_sse2(ps, pn, dst, i, n);
      break;
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      i = snr_db_run_neon(ps, pn, dst, i, n);
      break;
#endif
    default:
      break;
  }
  snr_db_run_scalar(ps, pn, dst, i, n);
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  dspfn_wf_t *S = (dspfn_wf_t *)state;
  double sums[2 * SNR_CHUNK]; /* channel-major: Σs² of frame f at [f], Σn² at [SNR_CHUNK + f] */
  for (size_t from = 0; from < frames; from += SNR_CHUNK) {
    const size_t n = frames - from < SNR_CHUNK ? frames - from : SNR_CHUNK;
    /* The chunk's input is read in full before its outputs (1 per frame, at or before it) are written. */
    const snr_params p = params_of(S);
    snr_wf_process(&p, S, src + 2 * from, sums, n, simd);
    snr_db(sums, sums + SNR_CHUNK, dst + from, n, simd);
  }
  out->frames = frames;
  return DSPFN_OK;
}

DSPFN_WF_STAGE(snr);

#else
#include "common/lane_log.h"

/* t = x² (exact in float64); the window sum is the output, stored per channel into the scratch. */
DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_terms)(const snr_params *p, lane_t x, lane_t h1, lane_t h2, double i, lane_t *t) {
  (void)p, (void)h1, (void)h2, (void)i;
  t[0] = lane_mul(x, x);
}

DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(wf_output)(const snr_params *p, const dspfn_wf_t *S, const lane_t *q, const lane_t *s, size_t pos,
                                                  uint64_t n) {
  (void)p, (void)S, (void)pos, (void)n;
  return lane_add(q[0], s[0]);
}

DSPFN_LANE_INLINE void DSPFN_LANES_FN(wf_store)(void *dst, size_t f, size_t C, size_t c0, lane_t y) {
  (void)C;
  double lanes[LANES];
  lane_store(lanes, y);
  for (size_t l = 0; l < (size_t)LANES; l++) ((double *)dst)[(c0 + l) * SNR_CHUNK + f] = lanes[l];
}

/* Frames from `from` in whole vectors; returns the first frame left. */
static size_t DSPFN_LANES_FN(db_run)(const double *ps, const double *pn, float *dst, size_t from, size_t n) {
  size_t i = from;
  for (; i + (size_t)LANES <= n; i += (size_t)LANES) lane_store_f32(dst + i, DSPFN_LANES_FN(power_ratio_db)(lane_load(ps + i), lane_load(pn + i)));
  return i;
}
#endif
