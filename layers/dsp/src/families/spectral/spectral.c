/* The spectral family's frames, state and shared ops (spectral.h). */
#include "families/spectral/spectral.h"

#include "families/spectral/spectral_math.h"

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

#define HEADER round64(sizeof(dspfn_spectral))

int dspfn_spectral_check(const char *name, double size, double hop, double window, uint32_t channels, dspfn_msg *why) {
  if (!dspfn_whole(size, 16, 65536) || ((uint32_t)size & ((uint32_t)size - 1)) != 0) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s needs a size that is a power of two from 16 to 65536, got %g", name, size);
  }
  if (!dspfn_whole(hop, 1, DSPFN_SPECTRAL_MAX_HOP)) return dspfn_fail(why, DSPFN_E_ARG, "%s needs a whole hop from 1 to 16777216, got %g", name, hop);
  if (!dspfn_whole(window, 0, 3)) return dspfn_fail(why, DSPFN_E_ARG, "%s needs a window index 0..3 (hann, hamming, blackman, rectangular)", name);
  if (channels < 1 || channels > DSPFN_SPECTRAL_MAX_CHANNELS) return dspfn_fail(why, DSPFN_E_ARG, "%s takes 1..%u channels", name, DSPFN_SPECTRAL_MAX_CHANNELS);
  return DSPFN_OK;
}

size_t dspfn_spectral_bytes(uint32_t channels, uint32_t size, uint32_t carry, size_t stage_bytes) {
  return HEADER + round64(stage_bytes) + round64((size_t)channels * size * sizeof(float)) + round64((size_t)size * sizeof(double)) +
         round64(((size_t)size / 2 + 1) * sizeof(double)) + round64((size_t)channels * carry * sizeof(double)) + dspfn_fft_bytes(size);
}

void *dspfn_spectral_init(void *mem, const char *name, uint32_t channels, uint32_t size, uint32_t hop, int window,
                          uint32_t per_channel, uint32_t carry, dspfn_spectral_reduce reduce, size_t stage_bytes) {
  memset(mem, 0, dspfn_spectral_bytes(channels, size, carry, stage_bytes));
  dspfn_spectral *S = (dspfn_spectral *)mem;
  unsigned char *at = (unsigned char *)mem + HEADER;
  void *stage = at;
  at += round64(stage_bytes);
  S->frame = (float *)at;
  at += round64((size_t)channels * size * sizeof(float));
  S->window = (double *)at;
  at += round64((size_t)size * sizeof(double));
  S->power = (double *)at;
  at += round64(((size_t)size / 2 + 1) * sizeof(double));
  S->carries = (double *)at;
  at += round64((size_t)channels * carry * sizeof(double));
  dspfn_fft_init(&S->fft, at, size);
  S->channels = channels;
  S->size = size;
  S->hop = hop;
  S->per_channel = per_channel;
  S->carry = carry;
  S->total = 0;
  S->name = name;
  S->reduce = reduce;
  S->stage = stage;
  for (uint32_t n = 0; n < size; n++) {
    double s, c, s2, c2;
    dspfn_sincos2pi(n, size, &s, &c);
    switch (window) {
      case DSPFN_WINDOW_HANN: S->window[n] = 0.5 - 0.5 * c; break;
      case DSPFN_WINDOW_HAMMING: S->window[n] = 0.54 - 0.46 * c; break;
      case DSPFN_WINDOW_BLACKMAN:
        dspfn_sincos2pi(2 * (uint64_t)n, size, &s2, &c2);
        S->window[n] = 0.42 - 0.5 * c + 0.08 * c2;
        break;
      default: S->window[n] = 1; break;
    }
  }
  return stage;
}

/* Frames emitted once `total` samples have arrived. */
static uint64_t emitted(const dspfn_spectral *S, double total) {
  return total < S->size ? 0 : ((uint64_t)total - S->size) / S->hop + 1;
}

/* Samples of the frame in progress that the state holds. */
static uint64_t filled(const dspfn_spectral *S, double total) {
  const uint64_t start = emitted(S, total) * S->hop;
  return (uint64_t)total > start ? (uint64_t)total - start : 0;
}

size_t dspfn_spectral_max_output_frames(const void *state, size_t in_frames) {
  const dspfn_spectral *S = (const dspfn_spectral *)state;
  return (size_t)(emitted(S, S->total + (double)in_frames) - emitted(S, S->total));
}

int dspfn_spectral_process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  dspfn_spectral *S = (dspfn_spectral *)state;
  const size_t C = S->channels, N = S->size, hop = S->hop;
  const size_t out_channels = C * S->per_channel;
  uint64_t total = (uint64_t)S->total, K = emitted(S, S->total);
  out->first = (double)(K * hop) - S->total;
  size_t written = 0, i = 0;
  while (i < frames) {
    const uint64_t start = K * hop;
    if (total < start) { /* hop > size: the samples between two frames belong to none */
      const uint64_t skip = start - total < frames - i ? start - total : frames - i;
      i += skip;
      total += skip;
      continue;
    }
    const size_t r = (size_t)(total - start);
    const size_t take = N - r < frames - i ? N - r : frames - i;
    for (size_t c = 0; c < C; c++) {
      float *f = S->frame + c * N + r;
      const float *x = src + i * C + c;
      for (size_t j = 0; j < take; j++) f[j] = x[j * C];
    }
    i += take;
    total += take;
    if (r + take < N) break;
    float *o = dst + written * out_channels;
    for (size_t c = 0; c < C; c++) {
      float *f = S->frame + c * N;
      dspfn_fft_power(&S->fft, f, S->window, S->power, simd);
      S->reduce(S, S->power, o + c * S->per_channel, S->carry > 0 ? S->carries + c * S->carry : NULL, K == 0);
      if (hop < N) memmove(f, f + hop, (N - hop) * sizeof(float));
    }
    written++;
    K++;
  }
  S->total = (double)total;
  out->frames = written;
  return DSPFN_OK;
}

size_t dspfn_spectral_snapshot_bytes(const void *state) {
  const dspfn_spectral *S = (const dspfn_spectral *)state;
  const size_t carry = emitted(S, S->total) > 0 ? (size_t)S->channels * S->carry * 8 : 0;
  return 16 + (size_t)S->channels * filled(S, S->total) * 4 + carry;
}

int dspfn_spectral_snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const dspfn_spectral *S = (const dspfn_spectral *)state;
  if (out_bytes != dspfn_spectral_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), S->size), S->total);
  const size_t r = (size_t)filled(S, S->total);
  for (uint32_t c = 0; c < S->channels; c++) {
    memcpy(p, S->frame + (size_t)c * S->size, r * 4);
    p += r * 4;
  }
  if (emitted(S, S->total) > 0) {
    for (size_t j = 0; j < (size_t)S->channels * S->carry; j++) p = dspfn_put_f64(p, S->carries[j]);
  }
  return DSPFN_OK;
}

int dspfn_spectral_restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  dspfn_spectral *S = (dspfn_spectral *)state;
  const char *name = S->name;
  if (in_bytes < 16) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, needs at least 16", name, in_bytes);
  const uint32_t channels = dspfn_get_u32(in), size = dspfn_get_u32(in + 4);
  if (channels != S->channels || size != S->size) {
    return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u channel(s) and size %u, stage has %u and %u", name, channels, size,
                      S->channels, S->size);
  }
  const double total = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(total)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state holds a sample count that is not a whole number >= 0", name);
  const size_t r = (size_t)filled(S, total);
  const int has_carry = emitted(S, total) > 0;
  const size_t expected = 16 + (size_t)channels * r * 4 + (has_carry ? (size_t)channels * S->carry * 8 : 0);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", name, in_bytes, expected);
  const uint8_t *carry = in + 16 + (size_t)channels * r * 4;
  if (has_carry) {
    for (size_t j = 0; j < (size_t)channels * S->carry; j++) {
      if (dspfn_get_f64(carry + 8 * j) < 0) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state holds a negative magnitude", name);
    }
  }
  S->total = total;
  for (uint32_t c = 0; c < channels; c++) memcpy(S->frame + (size_t)c * S->size, in + 16 + (size_t)c * r * 4, r * 4);
  if (has_carry) {
    for (size_t j = 0; j < (size_t)channels * S->carry; j++) S->carries[j] = dspfn_get_f64(carry + 8 * j);
  } else {
    for (size_t j = 0; j < (size_t)channels * S->carry; j++) S->carries[j] = 0;
  }
  return DSPFN_OK;
}
