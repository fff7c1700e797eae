/*
 * fir({ coefficients }) (a design arrives as coefficients: the options schema runs firwin):
 * y[n] = Σ h[k]·x[n−k] per channel, zeros before the key's first sample, in the canonical order of
 * families/fir/fir_dot.h, so every path gives the bits of core/dsp/stages/fir/fir.kernel.ts.
 *
 * Each channel runs through one contiguous float64 buffer: its last taps−1 samples, then up to
 * FIR_PASS new ones; the dot products read it forward with the coefficients reversed, then the last
 * taps−1 samples move to its front for the next pass.
 *
 * State bytes, as FirKernel.snapshot(): u32 channels · u32 taps · per channel the last taps−1 input
 * samples as f32, oldest first (exact: they were float32 inputs).
 */
#include <math.h>

#include "common/stage.h"
#include "families/fir/fir_dot.h"

#define FIR_MAX_CHANNELS 4096u
/* Frames per pass over a channel (the buffer stays in L1/L2 for the taps this stage takes). */
#define FIR_PASS 256u

typedef struct {
  uint32_t channels;
  uint32_t taps;
  double *g;       /* taps: h reversed (g[j] = h[taps−1−j]) */
  double *history; /* channels × (taps−1), oldest first */
  double *buffer;  /* taps−1 + FIR_PASS: scratch of one pass */
} fir_state;

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static size_t fir_mem_bytes(uint32_t taps, uint32_t channels) {
  const size_t held = (size_t)taps - 1;
  return round64(sizeof(fir_state)) + round64((size_t)taps * sizeof(double)) + round64((size_t)channels * held * sizeof(double)) +
         round64((held + FIR_PASS) * sizeof(double));
}

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params < 2 || !dspfn_whole(params[0], 1, DSPFN_FIR_MAX_TAPS) || n_params != 1 + (size_t)params[0]) {
    return dspfn_fail(why, DSPFN_E_ARG, "fir needs params [taps, h0 … h(taps−1)] with 1 <= taps <= %u", DSPFN_FIR_MAX_TAPS);
  }
  for (size_t k = 1; k < n_params; k++) {
    if (!isfinite(params[k])) return dspfn_fail(why, DSPFN_E_ARG, "fir needs finite coefficients (h[%zu] is not)", k - 1);
  }
  if (in_channels < 1 || in_channels > FIR_MAX_CHANNELS) return dspfn_fail(why, DSPFN_E_ARG, "fir takes 1..%u channels", FIR_MAX_CHANNELS);
  shape->out_channels = in_channels;
  shape->mem_bytes = fir_mem_bytes((uint32_t)params[0], in_channels);
  return DSPFN_OK;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params;
  const uint32_t taps = (uint32_t)params[0];
  const size_t held = (size_t)taps - 1;
  memset(mem, 0, fir_mem_bytes(taps, in_channels));
  fir_state *S = (fir_state *)mem;
  unsigned char *p = (unsigned char *)mem + round64(sizeof(fir_state));
  S->channels = in_channels;
  S->taps = taps;
  S->g = (double *)p;
  p += round64((size_t)taps * sizeof(double));
  S->history = (double *)p;
  p += round64((size_t)in_channels * held * sizeof(double));
  S->buffer = (double *)p;
  for (uint32_t j = 0; j < taps; j++) S->g[j] = params[1 + (taps - 1 - j)];
  return DSPFN_OK;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  fir_state *S = (fir_state *)state;
  const size_t C = S->channels, taps = S->taps, held = taps - 1;
  double *buffer = S->buffer;
  for (size_t c = 0; c < C; c++) {
    double *history = S->history + c * held;
    memcpy(buffer, history, held * sizeof(double));
    for (size_t from = 0; from < frames; from += FIR_PASS) {
      const size_t n = frames - from < FIR_PASS ? frames - from : FIR_PASS;
      /* This channel's samples of the pass are read before any of its outputs is written (dst may be src). */
      const float *in = src + from * C + c;
      for (size_t i = 0; i < n; i++) buffer[held + i] = (double)in[i * C];
      dspfn_fir_dots(simd, S->g, taps, buffer, 1, n, dst + from * C + c, C);
      memmove(buffer, buffer + n, held * sizeof(double));
    }
    memcpy(history, buffer, held * sizeof(double));
  }
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) {
  const fir_state *S = (const fir_state *)state;
  return 8 + 4 * (size_t)S->channels * ((size_t)S->taps - 1);
}

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const fir_state *S = (const fir_state *)state;
  if (out_bytes != snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_u32(dspfn_put_u32(out, S->channels), S->taps);
  const size_t samples = (size_t)S->channels * ((size_t)S->taps - 1);
  for (size_t i = 0; i < samples; i++) {
    const float v = (float)S->history[i];
    memcpy(p + 4 * i, &v, 4);
  }
  return DSPFN_OK;
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  fir_state *S = (fir_state *)state;
  const size_t expected = snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "fir state is truncated: needs %zu bytes, has %zu", expected, in_bytes);
  const uint32_t channels = dspfn_get_u32(in), taps = dspfn_get_u32(in + 4);
  if (channels != S->channels) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "fir state is for %u channel(s), stage has %u", channels, S->channels);
  if (taps != S->taps) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "fir state is for %u taps, stage has %u", taps, S->taps);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "fir state has %zu bytes, expected %zu", in_bytes, expected);
  const size_t samples = (size_t)channels * ((size_t)taps - 1);
  for (size_t i = 0; i < samples; i++) {
    float v;
    memcpy(&v, in + 8 + 4 * i, 4);
    S->history[i] = (double)v;
  }
  return DSPFN_OK;
}

/* args: [step, n, x…]: out[i] = f32(dot(g, x + i·step)) for i < n on the active path, so the
 * strided dot products the rate-changing FIR stages use are held to TypeScript's firDot too. */
static int test_hook(const void *state, const double *args, size_t n_args, float *out, size_t n_out, dspfn_simd simd) {
  const fir_state *S = (const fir_state *)state;
  if (n_args < 2 || !dspfn_whole(args[0], 1, 1e6) || !dspfn_whole(args[1], 0, 1e6)) return DSPFN_E_ARG;
  const size_t step = (size_t)args[0], n = (size_t)args[1];
  if (n_out < n || (n > 0 && n_args - 2 < (n - 1) * step + S->taps)) return DSPFN_E_ARG;
  dspfn_fir_dots(simd, S->g, S->taps, args + 2, step, n, out, 1);
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_fir_ops = {
    .name = "fir",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = process,
    .snapshot_bytes = snapshot_bytes,
    .snapshot = snapshot,
    .restore = restore,
    .test_hook = test_hook,
};
