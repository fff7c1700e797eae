/*
 * The event stages' shared C: state layout, snapshots, and the vector scan (events.h).
 */
#include "families/events/events.h"

#include <float.h>
#include <math.h>

#include "common/simd_neon.h"
#include "common/simd_x86.h"

int dspfn_ev_check(const char *stage, uint32_t in_channels, uint32_t slots, dspfn_shape *shape, dspfn_msg *why) {
  if (in_channels < 1 || in_channels > DSPFN_EV_MAX_CHANNELS) {
    return dspfn_fail(why, DSPFN_E_ARG, "%s takes 1..%u channels", stage, DSPFN_EV_MAX_CHANNELS);
  }
  shape->out_channels = 3;
  (void)slots;
  return DSPFN_OK;
}

size_t dspfn_ev_mem_bytes(size_t own_bytes, uint32_t in_channels, uint32_t slots) {
  const size_t own = (own_bytes + 63) & ~(size_t)63;
  return own + DSPFN_EV_HEADER + (size_t)in_channels * slots * sizeof(double);
}

dspfn_ev_state *dspfn_ev_init(void *mem, size_t own_bytes, uint32_t in_channels, uint32_t slots, const double *initial) {
  const size_t own = (own_bytes + 63) & ~(size_t)63;
  memset(mem, 0, dspfn_ev_mem_bytes(own_bytes, in_channels, slots));
  dspfn_ev_state *S = (dspfn_ev_state *)((unsigned char *)mem + own);
  S->channels = in_channels;
  S->slots = slots;
  S->count = 0;
  S->s = (double *)((unsigned char *)S + DSPFN_EV_HEADER);
  for (uint32_t c = 0; c < in_channels; c++) memcpy(S->s + (size_t)c * slots, initial, slots * sizeof(double));
  return S;
}

size_t dspfn_ev_snapshot_bytes(const dspfn_ev_state *S) { return 16 + 8 * (size_t)S->channels * S->slots; }

int dspfn_ev_snapshot(const dspfn_ev_state *S, uint8_t *out, size_t out_bytes) {
  if (out_bytes != dspfn_ev_snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->channels), 0), S->count);
  const size_t n = (size_t)S->channels * S->slots;
  for (size_t i = 0; i < n; i++) p = dspfn_put_f64(p, S->s[i]);
  return DSPFN_OK;
}

int dspfn_ev_restore(dspfn_ev_state *S, const char *stage, const void *stage_state, dspfn_ev_invalid invalid,
                     const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  const size_t expected = dspfn_ev_snapshot_bytes(S);
  if (in_bytes < 8) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state is truncated: needs 8 bytes, has %zu", stage, in_bytes);
  const uint32_t channels = dspfn_get_u32(in);
  if (channels != S->channels) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "%s state is for %u channel(s), stage has %u", stage, channels, S->channels);
  if (dspfn_get_u32(in + 4) != 0) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state has a non-zero reserved word", stage);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "%s state has %zu bytes, expected %zu", stage, in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state holds a sample count that is not a whole number >= 0", stage);
  double slots[8];
  for (uint32_t c = 0; c < channels; c++) {
    for (uint32_t k = 0; k < S->slots; k++) slots[k] = dspfn_get_f64(in + 16 + 8 * ((size_t)c * S->slots + k));
    dspfn_msg reason = {{0}};
    if (invalid(stage_state, slots, count, &reason)) {
      return dspfn_fail(why, DSPFN_E_STATE_VALUE, "%s state of channel %u %s", stage, c, reason.text);
    }
  }
  S->count = count;
  const size_t n = (size_t)channels * S->slots;
  for (size_t i = 0; i < n; i++) S->s[i] = dspfn_get_f64(in + 16 + 8 * i);
  return DSPFN_OK;
}

/* ---- float32 bounds for float64 comparisons ---- */

/* The next float32 towards +infinity (finite f). */
static float next_up(float f) {
  if (f == 0) return FLT_TRUE_MIN;
  uint32_t bits;
  memcpy(&bits, &f, 4);
  bits = f > 0 ? bits + 1 : bits - 1;
  memcpy(&f, &bits, 4);
  return f;
}

static float next_down(float f) { return -next_up(-f); }

float dspfn_ev_at_least(double t) {
  if (t > FLT_MAX) return INFINITY;
  if (t < -FLT_MAX) return -FLT_MAX;
  float f = (float)t;
  if ((double)f < t) f = next_up(f);
  return f;
}

float dspfn_ev_at_most(double t) {
  if (t < -FLT_MAX) return -INFINITY;
  if (t > FLT_MAX) return FLT_MAX;
  float f = (float)t;
  if ((double)f > t) f = next_down(f);
  return f;
}

float dspfn_ev_above(double t) {
  const float f = dspfn_ev_at_most(t); /* the largest float32 <= t: x > t ⟺ x > f ⟺ x >= next_up(f) */
  return f == INFINITY ? INFINITY : f == FLT_MAX ? INFINITY : f == -INFINITY ? -FLT_MAX : next_up(f);
}

/* ---- the scan ---- */

static size_t find_scalar(const float *x, size_t i, size_t to, float a, float b, int inside) {
  if (inside) {
    for (; i < to; i++)
      if (!(x[i] <= a || x[i] >= b)) return i;
  } else {
    for (; i < to; i++)
      if (!(a < x[i] && x[i] < b)) return i;
  }
  return to;
}

#if defined(__x86_64__)
static size_t find_sse2(const float *x, size_t i, size_t to, float a, float b, int inside) {
  const __m128 va = _mm_set1_ps(a), vb = _mm_set1_ps(b);
  for (; i + 4 <= to; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    /* Lanes where nothing can happen: all four means skip the block. */
    const __m128 quiet = inside ? _mm_or_ps(_mm_cmple_ps(v, va), _mm_cmpge_ps(v, vb)) : _mm_and_ps(_mm_cmplt_ps(va, v), _mm_cmplt_ps(v, vb));
    if (_mm_movemask_ps(quiet) != 0xF) break;
  }
  return find_scalar(x, i, to, a, b, inside);
}

DSPFN_AVX2 static size_t find_avx2(const float *x, size_t i, size_t to, float a, float b, int inside) {
  const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
  for (; i + 16 <= to; i += 16) {
    const __m256 v0 = _mm256_loadu_ps(x + i), v1 = _mm256_loadu_ps(x + i + 8);
    __m256 q0, q1;
    if (inside) {
      q0 = _mm256_or_ps(_mm256_cmp_ps(v0, va, _CMP_LE_OQ), _mm256_cmp_ps(v0, vb, _CMP_GE_OQ));
      q1 = _mm256_or_ps(_mm256_cmp_ps(v1, va, _CMP_LE_OQ), _mm256_cmp_ps(v1, vb, _CMP_GE_OQ));
    } else {
      q0 = _mm256_and_ps(_mm256_cmp_ps(va, v0, _CMP_LT_OQ), _mm256_cmp_ps(v0, vb, _CMP_LT_OQ));
      q1 = _mm256_and_ps(_mm256_cmp_ps(va, v1, _CMP_LT_OQ), _mm256_cmp_ps(v1, vb, _CMP_LT_OQ));
    }
    if (_mm256_movemask_ps(_mm256_and_ps(q0, q1)) != 0xFF) break;
  }
  return find_scalar(x, i, to, a, b, inside);
}
#endif /* __x86_64__ */

#if defined(__aarch64__)
static size_t find_neon(const float *x, size_t i, size_t to, float a, float b, int inside) {
  const float32x4_t va = vdupq_n_f32(a), vb = vdupq_n_f32(b);
  for (; i + 8 <= to; i += 8) {
    const float32x4_t v0 = vld1q_f32(x + i), v1 = vld1q_f32(x + i + 4);
    uint32x4_t q0, q1;
    if (inside) {
      q0 = vorrq_u32(vcleq_f32(v0, va), vcgeq_f32(v0, vb));
      q1 = vorrq_u32(vcleq_f32(v1, va), vcgeq_f32(v1, vb));
    } else {
      q0 = vandq_u32(vcltq_f32(va, v0), vcltq_f32(v0, vb));
      q1 = vandq_u32(vcltq_f32(va, v1), vcltq_f32(v1, vb));
    }
    if (vminvq_u32(vandq_u32(q0, q1)) != 0xFFFFFFFFu) break;
  }
  return find_scalar(x, i, to, a, b, inside);
}
#endif /* __aarch64__ */

size_t dspfn_ev_find(const float *x, size_t from, size_t to, float a, float b, int inside, dspfn_simd simd) {
  switch (simd) {
#if defined(__x86_64__)
    case DSPFN_SIMD_AVX2:
      return find_avx2(x, from, to, a, b, inside);
    case DSPFN_SIMD_SSE2:
      return find_sse2(x, from, to, a, b, inside);
#endif
#if defined(__aarch64__)
    case DSPFN_SIMD_NEON:
      return find_neon(x, from, to, a, b, inside);
#endif
    default:
      return find_scalar(x, from, to, a, b, inside);
  }
}
