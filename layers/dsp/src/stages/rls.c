#ifndef DSPFN_LANES_PASS
/*
 * rls({ taps, lambda, delta }): exponentially weighted recursive least squares on [x, d] frames,
 * output the a priori error. The C counterpart of core/dsp/stages/rls/rls.kernel.ts, which states
 * the update order and the guards; every operation here is that order, so every path is bit-exact.
 *
 * The O(L²) work is row by row over P, in float64 lanes along the row (elementwise, so each lane
 * performs the scalar operations): π = P·u as a sum of scaled rows (each π[i] adds its products in
 * row order, from the first), and the update of P, which also accumulates the next frame's π from
 * the rows it has just written (the same products, added in the same row order) when the next
 * frame is in this call and no guard changes P. The O(L) dot products (w·u, u·π, the trace) run in
 * index order, as TypeScript does.
 *
 * State bytes, as RlsKernel.snapshot(): u32 taps · u32 0 · f64 count · f64 w[L] · f32 u[L] (newest
 * first) · f64 P[i][j] for i <= j, row by row.
 */
#include <math.h>

#include "common/stage.h"

typedef struct {
  double unused;
} rls_params;

#define DSPFN_LANES_STAGE rls
#define DSPFN_LANES_PARAMS rls_params
#define DSPFN_LANES_FILE "stages/rls.c"
#define DSPFN_LANES_LOOP "common/lane_no_loop.h"
#define DSPFN_LANES_OWN_ENTRY 1
#define DSPFN_LANES_SLOTS 0
#include "common/lanes.h"

/* Mirrors MAX_RLS_TAPS in core/dsp/stages/rls/rls.stage.ts. */
#define RLS_MAX_TAPS 256u

typedef struct {
  uint32_t taps;
  double lambda, inv_lambda; /* λ, 1/λ */
  double diagonal;           /* 1/δ */
  double trace_cap;          /* the trace of I/δ, summed in index order */
  double count;
  /* Scratch: pi holds P·u for the u of the next frame (the fused update computed it); never in a
   * snapshot, cleared by restore. */
  int pi_ready;
  double *w;       /* L */
  double *p;       /* L × L, row-major, symmetric */
  double *pi;      /* L */
  double *pi_next; /* L */
  float *u;        /* L, newest first */
} rls_state;

#define RLS_HEADER ((sizeof(rls_state) + 63) & ~(size_t)63)

static size_t rls_mem_bytes(size_t L) { return RLS_HEADER + (L * L + 3 * L) * sizeof(double) + ((L + 1) & ~(size_t)1) * sizeof(float); }

static int check(const double *params, size_t n_params, uint32_t in_channels, dspfn_shape *shape, dspfn_msg *why) {
  if (n_params != 3 || !dspfn_whole(params[0], 1, RLS_MAX_TAPS) || !(params[1] >= 0.5 && params[1] <= 1) ||
      !(params[2] >= 1e-30 && params[2] <= 1e30)) {
    return dspfn_fail(why, DSPFN_E_ARG, "rls needs params [taps, lambda, delta]: taps a whole number in 1..%u, 0.5 <= lambda <= 1, 1e-30 <= delta <= 1e30",
                      RLS_MAX_TAPS);
  }
  if (in_channels != 2) {
    return dspfn_fail(why, DSPFN_E_ARG, "rls needs 2-channel interleaved input [x0, d0, x1, d1, …], but its input has %u channel(s)", in_channels);
  }
  shape->out_channels = 1;
  shape->mem_bytes = rls_mem_bytes((size_t)params[0]);
  return DSPFN_OK;
}

/* P = I/δ */
static void rls_reset(rls_state *S) {
  const size_t L = S->taps;
  memset(S->p, 0, L * L * sizeof(double));
  for (size_t i = 0; i < L; i++) S->p[i * L + i] = S->diagonal;
}

static int init(void *mem, const double *params, size_t n_params, uint32_t in_channels) {
  (void)n_params, (void)in_channels;
  const size_t L = (size_t)params[0];
  memset(mem, 0, rls_mem_bytes(L));
  rls_state *S = (rls_state *)mem;
  S->taps = (uint32_t)L;
  S->lambda = params[1];
  S->inv_lambda = 1 / params[1];
  S->diagonal = 1 / params[2];
  double cap = 0;
  for (size_t i = 0; i < L; i++) cap += S->diagonal;
  S->trace_cap = cap;
  S->w = (double *)((unsigned char *)mem + RLS_HEADER);
  S->p = S->w + L;
  S->pi = S->p + L * L;
  S->pi_next = S->pi + L;
  S->u = (float *)(S->pi_next + L);
  rls_reset(S);
  return DSPFN_OK;
}

/* ---- the row operations, widest path first, then narrower ones for the rest of the row ---- */

#if defined(__x86_64__)
#define RLS_DISPATCH(op, simd, i, ...)                                  \
  switch (simd) {                                                     \
    case DSPFN_SIMD_AVX2:                                             \
      i = rls_##op##_avx2(__VA_ARGS__, i);                            \
      __attribute__((fallthrough));                                   \
    case DSPFN_SIMD_SSE2:                                             \
      i = rls_##op##_sse2(__VA_ARGS__, i);                            \
      break;                                                          \
    default:                                                          \
      break;                                                          \
  }                                                                   \
  rls_##op##_scalar(__VA_ARGS__, i)
#elif defined(__aarch64__)
#define RLS_DISPATCH(op, simd, i, ...)                                  \
  if (simd == DSPFN_SIMD_NEON) i = rls_##op##_neon(__VA_ARGS__, i);   \
  rls_##op##_scalar(__VA_ARGS__, i)
#else
#define RLS_DISPATCH(op, simd, i, ...) rls_##op##_scalar(__VA_ARGS__, i)
#endif

/* π = P·u (rows in order, each π[i] from its first product) and q = u·π (index order). */
static double rls_project(rls_state *S, dspfn_simd simd) {
  const size_t L = S->taps;
  for (size_t j = 0; j < L; j++) {
    size_t i = 0;
    RLS_DISPATCH(axpy, simd, i, S->pi, S->p + j * L, (double)S->u[j], j == 0, L);
  }
  double q = 0;
  for (size_t i = 0; i < L; i++) q += (double)S->u[i] * S->pi[i];
  return q;
}

/* Guard 6: P = I/δ if a diagonal is not > 0 or the trace is not finite; the trace capped at its
 * initial value. Returns whether P was left as the update wrote it. */
static int rls_bound(rls_state *S) {
  const size_t L = S->taps;
  double trace = 0;
  int positive = 1;
  for (size_t i = 0; i < L; i++) {
    const double v = S->p[i * L + i];
    if (!(v > 0)) positive = 0;
    trace += v;
  }
  if (!positive || !(trace < INFINITY)) {
    rls_reset(S);
    return 0;
  }
  if (trace > S->trace_cap) {
    const double scale = S->trace_cap / trace;
    for (size_t k = 0; k < L * L; k++) S->p[k] = S->p[k] * scale;
    return 0;
  }
  return 1;
}

static int process(void *state, const float *src, size_t frames, float *dst, dspfn_simd simd, dspfn_output *out) {
  rls_state *S = (rls_state *)state;
  const size_t L = S->taps;
  for (size_t f = 0; f < frames; f++) {
    const float x = src[2 * f];
    const double d = src[2 * f + 1];
    memmove(S->u + 1, S->u, (L - 1) * sizeof(float));
    S->u[0] = x;
    double y = 0;
    for (size_t i = 0; i < L; i++) y += S->w[i] * (double)S->u[i];
    const double e = d - y;
    double q;
    if (S->pi_ready) {
      q = 0;
      for (size_t i = 0; i < L; i++) q += (double)S->u[i] * S->pi[i];
    } else {
      q = rls_project(S, simd);
    }
    S->pi_ready = 0;
    if (!(q >= 0 && q < INFINITY)) { /* guard 4: P lost positivity */
      rls_reset(S);
      q = rls_project(S, simd);
    }
    if (q >= 0 && q < INFINITY && isfinite(e)) {
      const double g = 1 / (S->lambda + q), il = S->inv_lambda;
      for (size_t i = 0; i < L; i++) S->w[i] = S->w[i] + S->pi[i] * g * e;
      const int fuse = f + 1 < frames;
      const double next_x = fuse ? (double)src[2 * (f + 1)] : 0;
      for (size_t r = 0; r < L; r++) {
        size_t i = 0;
        double *row = S->p + r * L;
        if (fuse) {
          /* the next frame's u: [next x, u[0], …, u[L−2]] */
          const double un = r == 0 ? next_x : (double)S->u[r - 1];
          RLS_DISPATCH(update_fused, simd, i, row, S->pi[r], S->pi, g, il, S->pi_next, un, r == 0, L);
        } else {
          RLS_DISPATCH(update, simd, i, row, S->pi[r], S->pi, g, il, L);
        }
      }
      if (rls_bound(S) && fuse) {
        double *t = S->pi;
        S->pi = S->pi_next;
        S->pi_next = t;
        S->pi_ready = 1;
      }
    }
    dst[f] = (float)e;
  }
  S->count += (double)frames;
  out->frames = frames;
  return DSPFN_OK;
}

static size_t snapshot_bytes(const void *state) {
  const size_t L = ((const rls_state *)state)->taps;
  return 16 + 12 * L + 4 * L * (L + 1);
}

static int snapshot(const void *state, uint8_t *out, size_t out_bytes) {
  const rls_state *S = (const rls_state *)state;
  if (out_bytes != snapshot_bytes(S)) return DSPFN_E_STATE_SIZE;
  const size_t L = S->taps;
  uint8_t *p = dspfn_put_f64(dspfn_put_u32(dspfn_put_u32(out, S->taps), 0), S->count);
  for (size_t i = 0; i < L; i++) p = dspfn_put_f64(p, S->w[i]);
  memcpy(p, S->u, 4 * L);
  p += 4 * L;
  for (size_t i = 0; i < L; i++) {
    for (size_t j = i; j < L; j++) p = dspfn_put_f64(p, S->p[i * L + j]);
  }
  return DSPFN_OK;
}

static int restore(void *state, const uint8_t *in, size_t in_bytes, dspfn_msg *why) {
  rls_state *S = (rls_state *)state;
  const size_t expected = snapshot_bytes(S), L = S->taps;
  if (in_bytes < 4) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "rls state has %zu bytes, expected %zu", in_bytes, expected);
  const uint32_t taps = dspfn_get_u32(in);
  if (taps != S->taps) return dspfn_fail(why, DSPFN_E_STATE_SHAPE, "rls state has %u taps, stage has %u", taps, S->taps);
  if (in_bytes != expected) return dspfn_fail(why, DSPFN_E_STATE_SIZE, "rls state has %zu bytes, expected %zu", in_bytes, expected);
  const double count = dspfn_get_f64(in + 8);
  if (!dspfn_valid_count(count)) return dspfn_fail(why, DSPFN_E_STATE_VALUE, "rls state holds a sample count that is not a whole number >= 0");
  const uint8_t *w = in + 16, *u = w + 8 * L, *p = u + 4 * L;
  /* The diagonal is the first value of each row of the upper triangle. */
  for (size_t i = 0, at = 0; i < L; at += L - i, i++) {
    const double v = dspfn_get_f64(p + 8 * at);
    if (!(v > 0 && v < INFINITY)) {
      return dspfn_fail(why, DSPFN_E_STATE_VALUE, "rls state holds an inverse correlation matrix whose diagonal is not finite and > 0");
    }
  }
  S->count = count;
  for (size_t i = 0; i < L; i++) S->w[i] = dspfn_get_f64(w + 8 * i);
  memcpy(S->u, u, 4 * L);
  for (size_t i = 0, at = 0; i < L; i++) {
    for (size_t j = i; j < L; j++, at++) S->p[i * L + j] = S->p[j * L + i] = dspfn_get_f64(p + 8 * at);
  }
  S->pi_ready = 0;
  return DSPFN_OK;
}

const dspfn_stage_ops dspfn_rls_ops = {
    .name = "rls",
    .state_version = 0,
    .check = check,
    .init = init,
    .max_output_frames = NULL,
    .process = process,
    .snapshot_bytes = snapshot_bytes,
    .snapshot = snapshot,
    .restore = restore,
    .test_hook = NULL,
};

#else
/* Row operations, once per instruction set, LANES elements of a row at a time from `from`; each
 * returns the first element left for a narrower path. */

/* acc = (first ? 0 : acc) + row·uj, elementwise: π += u[j]·P[j][·] */
static size_t DSPFN_LANES_FN(axpy)(double *acc, const double *row, double uj, int first, size_t n, size_t from) {
  size_t i = from;
  const lane_t s = lane_set(uj);
  if (first) {
    for (; i + (size_t)LANES <= n; i += (size_t)LANES) lane_store(acc + i, lane_mul(lane_load(row + i), s));
  } else {
    for (; i + (size_t)LANES <= n; i += (size_t)LANES) lane_store(acc + i, lane_add(lane_load(acc + i), lane_mul(lane_load(row + i), s)));
  }
  return i;
}

/* row[j] = (row[j] − (π_r·π[j])·g)·(1/λ) */
DSPFN_LANE_INLINE lane_t DSPFN_LANES_FN(updated)(const double *row, lane_t pr, const double *pi, lane_t g, lane_t il, size_t j) {
  return lane_mul(lane_sub(lane_load(row + j), lane_mul(lane_mul(pr, lane_load(pi + j)), g)), il);
}

static size_t DSPFN_LANES_FN(update)(double *row, double pr, const double *pi, double g, double il, size_t n, size_t from) {
  size_t j = from;
  const lane_t vpr = lane_set(pr), vg = lane_set(g), vil = lane_set(il);
  for (; j + (size_t)LANES <= n; j += (size_t)LANES) lane_store(row + j, DSPFN_LANES_FN(updated)(row, vpr, pi, vg, vil, j));
  return j;
}

/* The update, and next = (first ? 0 : next) + un·(the updated row): the next frame's π. */
static size_t DSPFN_LANES_FN(update_fused)(double *row, double pr, const double *pi, double g, double il, double *next, double un, int first,
                                           size_t n, size_t from) {
  size_t j = from;
  const lane_t vpr = lane_set(pr), vg = lane_set(g), vil = lane_set(il), vun = lane_set(un);
  for (; j + (size_t)LANES <= n; j += (size_t)LANES) {
    const lane_t v = DSPFN_LANES_FN(updated)(row, vpr, pi, vg, vil, j);
    lane_store(row + j, v);
    const lane_t prod = lane_mul(v, vun);
    lane_store(next + j, first ? prod : lane_add(lane_load(next + j), prod));
  }
  return j;
}
#endif
