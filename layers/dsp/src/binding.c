/*
 * Node-API binding (C, no C++ runtime): kernel handles as tagged externals, typed arrays used in
 * place (no copies), errors thrown as JS Errors whose `code` matches core/errors.ts.
 *
 *   create(kind, channels, params: Float64Array) -> handle
 *       kind 1 movingAverage / 2 rms: params [window]
 *       kind 3 nlms / 4 lms:          params [taps, mu, eps], channels must be 2
 *   process(handle, input: Float32Array, output: Float32Array)  (output may be input)
 *   snapshot(handle) -> Uint8Array;  restore(handle, state: Uint8Array)
 *   simd() -> 'avx2' | 'sse2' | 'neon' | 'scalar';  setSimd(true | false | name) -> simd()
 *   testOutputs(sums, n, squared, output): test hook, the moving stages' output step alone
 *
 * DSPFN_SIMD (read when the module loads in a thread): unset/auto/1 = best path, 0/off/scalar, or
 * a path name. The choice is per Node environment (worker threads do not share it).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dspfn_dsp.h"

/* Bumped whenever the JS-visible contract changes; the loader refuses a mismatched binary. */
#define DSPFN_NATIVE_ABI 2
#define DSPFN_NATIVE_VERSION "0.1.0"

enum { KIND_MOVING_AVERAGE = 1, KIND_RMS = 2, KIND_NLMS = 3, KIND_LMS = 4 };

typedef struct {
  int kind;
  uint32_t in_channels;
  uint32_t out_channels;
  size_t bytes;
  union {
    dspfn_mw_t mw;
    dspfn_nlms_t nlms;
  } u;
  _Alignas(64) unsigned char mem[]; /* the kernel's state memory */
} kernel_t;

typedef struct {
  dspfn_simd simd;
} instance_t;

static const napi_type_tag KERNEL_TAG = {0x647370666e6b726eULL, 0x9c1f2b7ad3e4c501ULL};

static const char *const CODE_CONFIG = "DSPFN_CONFIG";
static const char *const CODE_SNAPSHOT = "DSPFN_SNAPSHOT";
static const char *const CODE_SAMPLES = "DSPFN_INVALID_SAMPLES";
static const char *const CODE_NATIVE = "DSPFN_NATIVE";

static const char *kind_name(int kind) {
  switch (kind) {
    case KIND_MOVING_AVERAGE:
      return "movingAverage";
    case KIND_RMS:
      return "rms";
    case KIND_NLMS:
      return "nlms";
    case KIND_LMS:
      return "lms";
    default:
      return "unknown";
  }
}

/* Throws Error(message) with `code` and, for kernel failures, the numeric `status`. */
static void throw_error(napi_env env, const char *code, int status, const char *message) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  napi_value code_value, message_value, error;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &message_value) != napi_ok ||
      napi_create_error(env, code_value, message_value, &error) != napi_ok) {
    napi_throw_error(env, code, message);
    return;
  }
  if (status != 0) {
    napi_value status_value;
    if (napi_create_int32(env, status, &status_value) == napi_ok) {
      napi_set_named_property(env, error, "status", status_value);
    }
  }
  napi_throw(env, error);
}

/* A failed Node-API call: report it unless it already left a JS exception. */
static void throw_napi(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char message[256];
  snprintf(message, sizeof message, "dspfn native: %s failed (%s)", what,
           info != NULL && info->error_message != NULL ? info->error_message : "unknown error");
  throw_error(env, CODE_NATIVE, 0, message);
}

#define CALL(env, call)              \
  do {                               \
    if ((call) != napi_ok) {         \
      throw_napi((env), #call);      \
      return NULL;                   \
    }                                \
  } while (0)

static instance_t *instance(napi_env env) {
  void *data = NULL;
  return napi_get_instance_data(env, &data) == napi_ok ? (instance_t *)data : NULL;
}

/* The hot path runs these on every process() call, so each is one Node-API call where possible:
 * napi_get_value_external fails for anything but an external, and napi_get_typedarray_info for
 * anything but a typed array. */
static kernel_t *get_kernel(napi_env env, napi_value value) {
  bool tagged = false;
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok ||
      napi_check_object_type_tag(env, value, &KERNEL_TAG, &tagged) != napi_ok || !tagged) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: expected a kernel handle from create()");
    return NULL;
  }
  return (kernel_t *)data;
}

/* The typed array's own memory (adjusted by its byteOffset); no copy. */
static int get_typed(napi_env env, napi_value value, napi_typedarray_type want, const char *what,
                     void **data, size_t *length) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok || type != want) {
    char message[128];
    snprintf(message, sizeof message, "dspfn native: %s must be a %s", what,
             want == napi_float32_array ? "Float32Array" : want == napi_float64_array ? "Float64Array" : "Uint8Array");
    throw_error(env, CODE_NATIVE, 0, message);
    return 0;
  }
  return 1;
}

/* Float32Array memory for the hot path. napi_get_typedarray_info finds the element type by testing
 * each typed-array class in turn, which was most of the per-call cost (about 100 ns of 250), so
 * sample arrays go through napi_get_buffer_info, which accepts any ArrayBufferView and returns its
 * bytes. The element type is checked by the TypeScript wrapper (core/dsp/native/loader.ts); here a
 * wrong view can only give wrong numbers, never an out-of-bounds access. */
static int get_samples(napi_env env, napi_value value, const char *what, float **data, size_t *length) {
  void *bytes = NULL;
  size_t byte_length = 0;
  if (napi_get_buffer_info(env, value, &bytes, &byte_length) != napi_ok || byte_length % sizeof(float) != 0) {
    char message[96];
    snprintf(message, sizeof message, "dspfn native: %s must be a Float32Array", what);
    throw_error(env, CODE_NATIVE, 0, message);
    return 0;
  }
  *data = (float *)bytes;
  *length = byte_length / sizeof(float);
  return 1;
}

static void finalize_kernel(napi_env env, void *data, void *hint) {
  (void)hint;
  kernel_t *k = (kernel_t *)data;
  int64_t ignored;
  napi_adjust_external_memory(env, -(int64_t)k->bytes, &ignored);
  free(k);
}

static int whole_number(double v, double lo, double hi) { return v >= lo && v <= hi && (double)(int64_t)v == v; }

static napi_value js_create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t kind = 0;
  double channels_value = 0;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &kind) != napi_ok ||
      napi_get_value_double(env, argv[1], &channels_value) != napi_ok) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: create(kind, channels, params) expects numbers and a Float64Array");
    return NULL;
  }
  void *params_data = NULL;
  size_t params_length = 0;
  if (!get_typed(env, argv[2], napi_float64_array, "params", &params_data, &params_length)) return NULL;
  const double *params = (const double *)params_data;
  char message[256];

  if (kind == KIND_MOVING_AVERAGE || kind == KIND_RMS) {
    if (params_length < 1 || !whole_number(params[0], 1, DSPFN_MW_MAX_WINDOW) ||
        !whole_number(channels_value, 1, DSPFN_MW_MAX_CHANNELS)) {
      snprintf(message, sizeof message,
               "%s needs a whole window in 1..%u and 1..%u channels", kind_name(kind),
               DSPFN_MW_MAX_WINDOW, DSPFN_MW_MAX_CHANNELS);
      throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
      return NULL;
    }
  } else if (kind == KIND_NLMS || kind == KIND_LMS) {
    if (channels_value != 2) {
      snprintf(message, sizeof message,
               "%s needs 2-channel interleaved input [x0, d0, x1, d1, ...], got %g channel(s)",
               kind_name(kind), channels_value);
      throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
      return NULL;
    }
    if (params_length < 3 || !whole_number(params[0], 1, DSPFN_NLMS_MAX_TAPS)) {
      snprintf(message, sizeof message, "%s needs params [taps 1..%u, mu, eps]", kind_name(kind),
               DSPFN_NLMS_MAX_TAPS);
      throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
      return NULL;
    }
  } else {
    snprintf(message, sizeof message, "unknown stage kind %d", kind);
    throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
    return NULL;
  }

  const uint32_t channels = (uint32_t)channels_value;
  const uint32_t size_param = (uint32_t)params[0];
  const int moving = kind == KIND_MOVING_AVERAGE || kind == KIND_RMS;
  const size_t mem_bytes = moving ? dspfn_mw_mem_bytes(channels, size_param) : dspfn_nlms_mem_bytes(size_param);
  size_t total = sizeof(kernel_t) + mem_bytes;
  total = (total + 63) & ~(size_t)63; /* aligned_alloc wants a multiple of the alignment */
  kernel_t *k = (kernel_t *)aligned_alloc(64, total);
  if (k == NULL) {
    snprintf(message, sizeof message, "%s: cannot allocate %zu bytes of state", kind_name(kind), total);
    throw_error(env, CODE_NATIVE, DSPFN_E_MEM, message);
    return NULL;
  }
  k->kind = kind;
  k->in_channels = channels;
  k->out_channels = moving ? channels : 1;
  k->bytes = total;
  const int status = moving ? dspfn_mw_init(&k->u.mw, channels, size_param, kind == KIND_RMS, k->mem, mem_bytes)
                            : dspfn_nlms_init(&k->u.nlms, size_param, params[1], params[2], kind == KIND_NLMS,
                                              k->mem, mem_bytes);
  if (status != DSPFN_OK) {
    free(k);
    snprintf(message, sizeof message, "%s: invalid parameters (mu and eps must be finite, eps >= 0)", kind_name(kind));
    throw_error(env, CODE_CONFIG, status, message);
    return NULL;
  }
  napi_value handle;
  if (napi_create_external(env, k, finalize_kernel, NULL, &handle) != napi_ok) {
    free(k);
    throw_napi(env, "napi_create_external");
    return NULL;
  }
  CALL(env, napi_type_tag_object(env, handle, &KERNEL_TAG));
  int64_t ignored;
  /* Lets V8 see per-key native state when it decides to collect. */
  napi_adjust_external_memory(env, (int64_t)total, &ignored);
  return handle;
}

static napi_value js_process(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: process(handle, input, output) needs 3 arguments");
    return NULL;
  }
  kernel_t *k = get_kernel(env, argv[0]);
  if (k == NULL) return NULL;
  float *in_data = NULL, *out_data = NULL;
  size_t in_length = 0, out_length = 0;
  if (!get_samples(env, argv[1], "input", &in_data, &in_length) ||
      !get_samples(env, argv[2], "output", &out_data, &out_length)) {
    return NULL;
  }
  char message[256];
  if (in_length % k->in_channels != 0) {
    snprintf(message, sizeof message, "%s: %zu samples are not whole frames of %u channel(s)",
             kind_name(k->kind), in_length, k->in_channels);
    throw_error(env, CODE_SAMPLES, 0, message);
    return NULL;
  }
  const size_t frames = in_length / k->in_channels;
  const size_t need = frames * k->out_channels;
  if (out_length < need) {
    snprintf(message, sizeof message, "%s: output holds %zu samples, %zu frames need %zu",
             kind_name(k->kind), out_length, frames, need);
    throw_error(env, CODE_SAMPLES, 0, message);
    return NULL;
  }
  if (frames == 0) return NULL;
  /* Same memory is supported (each frame is read before its output is written); any other
   * overlap would read samples already overwritten. */
  const uintptr_t in0 = (uintptr_t)in_data, in1 = in0 + in_length * sizeof(float);
  const uintptr_t out0 = (uintptr_t)out_data, out1 = out0 + need * sizeof(float);
  if (in0 != out0 && in0 < out1 && out0 < in1) {
    snprintf(message, sizeof message, "%s: output overlaps input at another offset", kind_name(k->kind));
    throw_error(env, CODE_SAMPLES, 0, message);
    return NULL;
  }
  instance_t *inst = instance(env);
  const dspfn_simd simd = inst != NULL ? inst->simd : DSPFN_SIMD_SCALAR;
  if (k->kind == KIND_MOVING_AVERAGE || k->kind == KIND_RMS) {
    dspfn_mw_process(&k->u.mw, in_data, out_data, frames, simd);
  } else {
    dspfn_nlms_process(&k->u.nlms, in_data, out_data, frames, simd);
  }
  return NULL;
}

static napi_value js_snapshot(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 1 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: snapshot(handle) needs a kernel handle");
    return NULL;
  }
  const int moving = k->kind == KIND_MOVING_AVERAGE || k->kind == KIND_RMS;
  const size_t bytes = moving ? dspfn_mw_snapshot_bytes(&k->u.mw) : dspfn_nlms_snapshot_bytes(&k->u.nlms);
  void *data = NULL;
  napi_value buffer, array;
  CALL(env, napi_create_arraybuffer(env, bytes, &data, &buffer));
  const int status = moving ? dspfn_mw_snapshot(&k->u.mw, (uint8_t *)data, bytes)
                            : dspfn_nlms_snapshot(&k->u.nlms, (uint8_t *)data, bytes);
  if (status != DSPFN_OK) {
    throw_error(env, CODE_NATIVE, status, "dspfn native: snapshot failed");
    return NULL;
  }
  CALL(env, napi_create_typedarray(env, napi_uint8_array, bytes, buffer, 0, &array));
  return array;
}

static napi_value js_restore(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 2 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: restore(handle, state) needs a kernel handle");
    return NULL;
  }
  void *data = NULL;
  size_t length = 0;
  if (!get_typed(env, argv[1], napi_uint8_array, "state", &data, &length)) return NULL;
  const uint8_t *bytes = (const uint8_t *)data;
  const int moving = k->kind == KIND_MOVING_AVERAGE || k->kind == KIND_RMS;
  const int status = moving ? dspfn_mw_restore(&k->u.mw, bytes, length) : dspfn_nlms_restore(&k->u.nlms, bytes, length);
  if (status == DSPFN_OK) return NULL;
  /* Messages follow the TypeScript kernels' SnapshotError texts. */
  char message[256];
  uint32_t first = 0, second = 0;
  if (length >= 8) {
    memcpy(&first, bytes, 4);
    memcpy(&second, bytes + 4, 4);
  }
  if (status == DSPFN_E_STATE_SHAPE && moving) {
    snprintf(message, sizeof message,
             "moving window state is for %u channel(s) \xc3\x97 window %u, stage has %u \xc3\x97 %u", first,
             second, k->u.mw.channels, k->u.mw.window);
  } else if (status == DSPFN_E_STATE_SHAPE) {
    snprintf(message, sizeof message, "adaptive filter state has %u taps, stage has %u", first, k->u.nlms.taps);
  } else if (status == DSPFN_E_STATE_SIZE) {
    snprintf(message, sizeof message, "%s state has %zu bytes, expected %zu",
             moving ? "moving window" : "adaptive filter", length,
             moving ? dspfn_mw_snapshot_bytes(&k->u.mw) : dspfn_nlms_snapshot_bytes(&k->u.nlms));
  } else {
    snprintf(message, sizeof message, "%s state holds a sample count that is not a whole number >= 0",
             moving ? "moving window" : "adaptive filter");
  }
  throw_error(env, CODE_SNAPSHOT, status, message);
  return NULL;
}

/* testOutputs(sums: Float64Array, n, squared: boolean, output: Float32Array): the output step of
 * movingAverage / rms on the active path, for tests that aim at float32 rounding midpoints. */
static napi_value js_test_outputs(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *sums = NULL, *out = NULL;
  size_t sums_length = 0, out_length = 0;
  double n = 0;
  bool squared = false;
  if (argc < 4 || !get_typed(env, argv[0], napi_float64_array, "sums", &sums, &sums_length) ||
      napi_get_value_double(env, argv[1], &n) != napi_ok || napi_get_value_bool(env, argv[2], &squared) != napi_ok ||
      !get_typed(env, argv[3], napi_float32_array, "output", &out, &out_length) || out_length < sums_length || !(n >= 1)) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: testOutputs(sums: Float64Array, n >= 1, squared, output: Float32Array)");
    return NULL;
  }
  instance_t *inst = instance(env);
  dspfn_mw_test_outputs((const double *)sums, (float *)out, sums_length, n, squared, inst != NULL ? inst->simd : DSPFN_SIMD_SCALAR);
  return NULL;
}

static napi_value simd_value(napi_env env, dspfn_simd simd) {
  napi_value value;
  CALL(env, napi_create_string_utf8(env, dspfn_simd_name(simd), NAPI_AUTO_LENGTH, &value));
  return value;
}

static napi_value js_simd(napi_env env, napi_callback_info info) {
  (void)info;
  instance_t *inst = instance(env);
  return simd_value(env, inst != NULL ? inst->simd : DSPFN_SIMD_SCALAR);
}

/* Parses a path name; -1 if unknown. */
static int parse_simd(const char *name) {
  if (strcmp(name, "") == 0 || strcmp(name, "1") == 0 || strcmp(name, "auto") == 0 || strcmp(name, "on") == 0) {
    return (int)dspfn_simd_best();
  }
  if (strcmp(name, "0") == 0 || strcmp(name, "off") == 0 || strcmp(name, "scalar") == 0) return DSPFN_SIMD_SCALAR;
  if (strcmp(name, "sse2") == 0) return DSPFN_SIMD_SSE2;
  if (strcmp(name, "avx2") == 0) return DSPFN_SIMD_AVX2;
  if (strcmp(name, "neon") == 0) return DSPFN_SIMD_NEON;
  return -1;
}

static int choose_simd(napi_env env, const char *name, instance_t *inst) {
  const int simd = parse_simd(name);
  if (simd < 0 || !dspfn_simd_available((dspfn_simd)simd)) {
    char message[256];
    snprintf(message, sizeof message,
             "SIMD path \"%s\" is %s here (this CPU runs: scalar, %s); use auto, scalar or 0", name,
             simd < 0 ? "unknown" : "not available", dspfn_simd_name(dspfn_simd_best()));
    throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
    return 0;
  }
  inst->simd = (dspfn_simd)simd;
  return 1;
}

static napi_value js_set_simd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  instance_t *inst = instance(env);
  if (inst == NULL || argc < 1) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: setSimd(true | false | name)");
    return NULL;
  }
  napi_valuetype type;
  CALL(env, napi_typeof(env, argv[0], &type));
  if (type == napi_boolean) {
    bool enabled = false;
    CALL(env, napi_get_value_bool(env, argv[0], &enabled));
    inst->simd = enabled ? dspfn_simd_best() : DSPFN_SIMD_SCALAR;
  } else {
    char name[32];
    size_t length = 0;
    if (type != napi_string || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) {
      throw_error(env, CODE_NATIVE, 0, "dspfn native: setSimd(true | false | name)");
      return NULL;
    }
    if (!choose_simd(env, name, inst)) return NULL;
  }
  return simd_value(env, inst->simd);
}

static void finalize_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

NAPI_MODULE_INIT() {
  instance_t *inst = (instance_t *)malloc(sizeof *inst);
  if (inst == NULL) {
    throw_error(env, CODE_NATIVE, DSPFN_E_MEM, "dspfn native: out of memory");
    return NULL;
  }
  inst->simd = dspfn_simd_best();
  if (napi_set_instance_data(env, inst, finalize_instance, NULL) != napi_ok) {
    free(inst);
    throw_napi(env, "napi_set_instance_data");
    return NULL;
  }
  const char *env_simd = getenv("DSPFN_SIMD");
  if (env_simd != NULL && !choose_simd(env, env_simd, inst)) return NULL; /* a typo fails loudly */

  napi_value abi, version, arch;
  CALL(env, napi_create_int32(env, DSPFN_NATIVE_ABI, &abi));
  CALL(env, napi_create_string_utf8(env, DSPFN_NATIVE_VERSION, NAPI_AUTO_LENGTH, &version));
#if defined(__x86_64__)
  CALL(env, napi_create_string_utf8(env, "x64", NAPI_AUTO_LENGTH, &arch));
#elif defined(__aarch64__)
  CALL(env, napi_create_string_utf8(env, "arm64", NAPI_AUTO_LENGTH, &arch));
#else
  CALL(env, napi_create_string_utf8(env, "unknown", NAPI_AUTO_LENGTH, &arch));
#endif
  const napi_property_descriptor props[] = {
      {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"process", NULL, js_process, NULL, NULL, NULL, napi_enumerable, NULL},
      {"snapshot", NULL, js_snapshot, NULL, NULL, NULL, napi_enumerable, NULL},
      {"restore", NULL, js_restore, NULL, NULL, NULL, napi_enumerable, NULL},
      {"simd", NULL, js_simd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setSimd", NULL, js_set_simd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"testOutputs", NULL, js_test_outputs, NULL, NULL, NULL, napi_enumerable, NULL},
      {"abi", NULL, NULL, NULL, NULL, abi, napi_enumerable, NULL},
      {"version", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL},
      {"arch", NULL, NULL, NULL, NULL, arch, napi_enumerable, NULL},
  };
  CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}
