/*
 * Polyphase rate change (rate.h; the math and the state are written out in
 * core/dsp/stages/families/rate/rate.kernel.ts). Output m has phase p = m·down mod up and ends at
 * input sample n = ⌊m·down/up⌋; outputs m and m + up share the phase and lie down input samples
 * apart, so per pass and channel the outputs fall into up strided runs (residues of m mod up), each
 * one call of dspfn_fir_dots with step down and output stride up·channels: every path gives the
 * bits of the TypeScript kernel's firDot, output by output.
 *
 * Each channel runs through one contiguous float64 buffer: its last held samples (the longest
 * phase's taps − 1), then up to RATE_PASS new ones.
 */
#include "families/rate/rate.h"

#include <math.h>

#include "families/fir/fir_dot.h"

/* Input frames per pass over a channel. */
#define RATE_PASS 512u

typedef struct {
  const char *name;
  uint32_t channels, taps, up, down, held;
  uint32_t phase;       /* a = m_next·down − N·up, in [0, down) */
  uint32_t *start;      /* up: where phase p's reversed taps begin in g */
  uint32_t *length;     /* up: phase p's taps, ⌈(taps − p)/up⌉ */
  double *g;            /* taps: the phases' taps, each reversed, one after another */
  double *history;      /* channels × held, oldest first */
  double *buffer;       /* held + RATE_PASS: scratch of one pass */
} rate_state;

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static uint32_t phase_length(uint32_t taps, uint32_t up, uint32_t p) { return p < taps ? (taps - p + up - 1) / up : 0; }

static size_t rate_mem_bytes(uint32_t up, uint32_t taps, uint32_t channels) {
  const size_t held = phase_length(taps, up, 0) - 1;
  return round64(sizeof(rate_state)) + 2 * round64((size_t)up * sizeof(uint32_t)) + round64((size_t)taps * sizeof(double)) +
         round64((size_t)channels * held * sizeof(double)) + round64((held + RATE_PASS) * sizeof(double));
}

int dspfn_rate_check(const char *name, uint32_t up, uint32_t down, const double *h, size_t n_h, uint32_t in_channels,
                     dspfn_shape *shape, dspfn_msg *why) {
  if (up < 1 || up > DSPFN_RATE_MAX_FACTOR || down < 1 || down > DSPFN_RATE_MAX_FACTOR) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs up and down in 1..%u", name, DSPFN_RATE_MAX_FACTOR);
  }
  if (n_h < 1 || n_h > DSPFN_FIR_MAX_TAPS) return dspfn_fail(why, DSPFN_E_ARG, "%s needs 1..%u coefficients", name, DSPFN_FIR_MAX_TAPS);
  for (size_t k = 0; k < n_h; k++) {
    if (!isfinite(h[k])) return dspfn_fail(why, DSPFN_E_ARG, "%s needs finite coefficients (h[%zu] is not)", name, k);
  }
  if (in_channels < 1 || in_channels > DSPFN_RATE_MAX_CHANNELS) return dspfn_fail(why, DSPFN_E_ARG, "%s takes 1..%u channels", name, DSPFN_RATE_MAX_CHANNELS);
  shape->out_channels = in_channels;
  shape->mem_bytes = rate_mem_bytes(up, (uint32_t)n_h, in_channels);
  return DSPFN_OK;
}

int dspfn_rate_init(void *mem, const char *name, uint32_t up, uint32_t down, const double *h, size_t n_h, uint32_t in_channels) {
  const uint32_t taps = (uint32_t)n_h;
  memset(mem, 0, rate_mem_bytes(up, taps, in_channels));
  rate_state *S = (rate_state *)mem;
  unsigned char *p = (unsigned char *)mem + round64(sizeof(rate_state));
  S->name = name;
  S->channels = in_channels;
  S->taps = taps;
  S->up = up;
  S->down = down;
  S->held = phase_length(taps, up, 0) - 1;
  S->start = (uint32_t *)p;
  p += round64((size_t)up * sizeof(uint32_t));
  S->length = (uint32_t *)p;
  p += round64((size_t)up * sizeof(uint32_t));
  S->g = (double *)p;
  p += round64((size_t)taps * sizeof(double));
  S->history = (double *)p;
  p += round64((size_t)in_channels * S->held * sizeof(double));
  S->buffer = (double *)p;
  uint32_t at = 0;
  for (uint32_t q = 0; q < up; q++) {
    const uint32_t length = phase_length(taps, up, q);
    S->start[q] = at;
    S->length[q] = length;
    /* g_q[j] = h_q[length − 1 − j] = h[q + up·(length − 1 − j)] */
    for (uint32_t j = 0; j < length; j++) S->g[at + j] = h[q + (size_t)up * (length - 1 - j)];
    at += length;
  }
  return DSPFN_OK;
}

/* Outputs of the next `frames` input frames: the t with a + t·down < frames·up. */
static uint64_t outputs_within(uint64_t a, uint64_t frames, uint32_t up, uint32_t down) {
  const uint64_t limit = frames * up;
  return a < limit ? (limit - a + down - 1) / down : 0;
}

size_t dspfn_rate_max_output_frames(const void *state, size_t in_frames) {
  const rate_state *S = (const rate_state *)state;
  return (size_t)outputs_within(S->phase, in_frames, S->up, S->down);
}

int dspfn_rate_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  rate_state *S = (rate_state *)state;
  const size_t C = S->channels, held = S->held, up = S->up, down = S->down;
  double *buffer = S->buffer;
  out->first = (double)S->phase / (double)S->up;
  size_t written = 0;
  uint64_t end = S->phase;
  for (size_t c = 0; c < C; c++) {
    double *history = S->history + c * held;
    memcpy(buffer, history, held * sizeof(double));
    uint64_t a = S->phase;
    size_t o = 0;
    for (size_t from = 0; from < frames; from += RATE_PASS) {
      const size_t n = frames - from < RATE_PASS ? frames - from : RATE_PASS;
      /* This channel's samples of the pass are read before any of its outputs is written (dst may
       * be src: the outputs so far never run ahead of the frames read, see rate.kernel.ts). */
      const float *in = src + from * C + c;
      for (size_t i = 0; i < n; i++) buffer[held + i] = (double)in[i * C];
      const size_t count = (size_t)outputs_within(a, n, S->up, S->down);
      for (size_t r = 0; r < up && r < count; r++) {
        const uint64_t ar = a + r * down;
        const size_t i = (size_t)(ar / up), q = (size_t)(ar % up);
        const size_t length = S->length[q];
        dspfn_fir_dots(simd, S->g + S->start[q], length, buffer + held + i + 1 - length, down, (count - r + up - 1) / up,
                       dst + (o + r) * C + c, up * C);
      }
      o += count;
      a = a + (uint64_t)count * down - (uint64_t)n * up;
      memmove(buffer, buffer + n, held * sizeof(double));
    }
    memcpy(history, buffer, held * sizeof(double));
    written = o;
    end = a;
  }
  S->phase = (uint32_t)end;
  out->frames = written;
  return DSPFN_OK;
}

size_t dspfn_rate_snapshot_bytes(const void *state) {
  const rate_state *S = (const rate_state *)state;
  return 12 + 4 * (size_t)S->channels * S->held;
}

int dspfn_rate_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const rate_state *S = (const rate_state *)state;
  if (out_bytes != dspfn_rate_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_u32(dspfn_put_u32(dspfn_put_u32(out, S->channels), S->taps), S->phase);
  const size_t samples = (size_t)S->channels * S->held;
  for (size_t i = 0; i < samples; i++) {
    const float v = (float)S->history[i];
    memcpy(p + 4 * i, &v, 4);
  }
  return DSPFN_OK;
}

int dspfn_rate_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  rate_state *S = (rate_state *)state;
  const char *name = S->name;
  const size_t expected = dspfn_rate_snapshot_bytes(S);
  if (in_bytes < 12) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state is truncated: needs %zu bytes, has %zu", name, expected, in_bytes);
  const uint32_t channels = dspfn_get_u32(in), taps = dspfn_get_u32(in + 4), phase = dspfn_get_u32(in + 8);
  if (channels != S->channels) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u channel(s), stage has %u", name, channels, S->channels);
  if (taps != S->taps) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u taps, stage has %u", name, taps, S->taps);
  if (phase >= S->down) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state has phase %u, which must be below %u", name, phase, S->down);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const size_t samples = (size_t)channels * S->held;
  for (size_t i = 0; i < samples; i++) {
    float v;
    memcpy(&v, in + 12 + 4 * i, 4);
    S->history[i] = (double)v;
  }
  S->phase = phase;
  return DSPFN_OK;
}
