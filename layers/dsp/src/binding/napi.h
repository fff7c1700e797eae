/*
 * What the binding's files share (binding.c: kernels; binding/simd.c: the SIMD path choice): the
 * per-environment instance data, and errors thrown as JS Errors whose `code` matches
 * core/errors.ts and whose `status` is the kernel's.
 */
#ifndef DSPFN_BINDING_NAPI_H
#define DSPFN_BINDING_NAPI_H

#define NAPI_VERSION 8
#include <node_api.h>

#include "common/stage.h"

/* Per Node environment (worker threads do not share it). */
typedef struct {
  dspfn_simd simd;
} instance_t;

extern const char *const CODE_CONFIG;
extern const char *const CODE_SNAPSHOT;
extern const char *const CODE_SAMPLES;
extern const char *const CODE_NATIVE;

/* Throws Error(message) with `code` and, for kernel failures, the numeric `status`. */
void throw_error(napi_env env, const char *code, int status, const char *message);
/* A failed Node-API call: report it unless it already left a JS exception. */
void throw_napi(napi_env env, const char *what);

#define CALL(env, call)              \
  do {                               \
    if ((call) != napi_ok) {         \
      throw_napi((env), #call);      \
      return NULL;                   \
    }                                \
  } while (0)

/* Inline: process() asks for it on every call. */
static inline instance_t *instance(napi_env env) {
  void *data = NULL;
  return napi_get_instance_data(env, &data) == napi_ok ? (instance_t *)data : NULL;
}

/* binding/simd.c */
napi_value js_simd(napi_env env, napi_callback_info info);
napi_value js_set_simd(napi_env env, napi_callback_info info);
napi_value js_simd_paths(napi_env env, napi_callback_info info);
/* Sets inst->simd from a path name (DSPFN_SIMD's values); throws a ConfigError and returns 0 if unknown or unavailable. */
int choose_simd(napi_env env, const char *name, instance_t *inst);

/* binding/json.c */
int get_bytes(napi_env env, napi_value value, void **data, size_t *length);
napi_value js_format_f32(napi_env env, napi_callback_info info);
napi_value js_parse_f32(napi_env env, napi_callback_info info);

/* binding/crc32c.c */
napi_value js_crc32c(napi_env env, napi_callback_info info);

/* binding/json_envelope.c */
napi_value js_read_flat_envelope(napi_env env, napi_callback_info info);
napi_value js_read_flat_envelopes(napi_env env, napi_callback_info info);

/* binding/samples.c */
napi_value js_first_non_finite(napi_env env, napi_callback_info info);

#endif /* DSPFN_BINDING_NAPI_H */
