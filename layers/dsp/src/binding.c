/*
 * Node-API binding (C, no C++ runtime), stage-agnostic: every stage is a `dspfn_stage_ops`
 * (common/stage.h) found by its kind id in the generated table (stages/catalogue.gen.c). Kernel
 * handles are tagged externals; typed arrays are used in place (no copies); errors are thrown as JS
 * Errors whose `code` matches core/errors.ts and whose `status` is the kernel's.
 *
 *   create(kind, channels, params: Float64Array) -> handle      (params: core/dsp/stages/params.ts)
 *   process(handle, input: Float32Array, output: Float32Array, positions?: Float64Array) -> frames
 *     written; an event stage writes each event frame's sample index in the key's stream to
 *     positions (room for maxOutputFrames values, required for event stages only)
 *   maxOutputFrames(handle, frames) -> the most frames process may write for `frames` input frames
 *   firstOutputOffset(handle) -> where the last process call's first output frame lies, in input
 *     frames from that call's first input frame; for an event stage, the index in the key's stream
 *     of that call's first input frame (dspfn_output.first; 0 after a call without input)
 *   snapshot(handle) -> Uint8Array;  restore(handle, state: Uint8Array)
 *   snapshotInto(handle, target: Uint8Array, offset) -> the state's size in bytes, written at
 *     target[offset..] only when it fits there
 *   stages() -> [{ kind, name, stateVersion, events }]: the table this module was built with
 *   testHook(handle, args: Float64Array, output: Float32Array): a stage's own test hook, if it has one
 *   simd() -> 'avx2' | 'sse2' | 'neon' | 'scalar';  setSimd(true | false | name) -> simd()
 *   simdPaths() -> the paths this CPU can run, scalar first
 *   formatF32(…), parseF32(…): JSON number text <-> float32 (binding/json.c)
 *   readFlatEnvelope(…), readFlatEnvelopes(…): records' flat JSON envelopes, their samples into float32
 *     (binding/json_envelope.c)
 *   crc32c(data: Uint8Array, portable?: boolean) -> CRC-32C of Kafka record batches (binding/crc32c.c)
 *   firstNonFinite(values: Float32Array) -> index of the first NaN or ±Infinity, or -1 (binding/samples.c)
 *
 * DSPFN_SIMD (read when the module loads in a thread): unset/auto/1 = best path, 0/off/scalar, or
 * a path name. The choice is per Node environment (worker threads do not share it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding/napi.h"
#include "common/stage.h"

/* Bumped whenever the JS-visible contract changes; the loader refuses a mismatched binary. */
#define DSPFN_NATIVE_ABI 9
#define DSPFN_NATIVE_VERSION "0.2.0"

typedef struct {
  const dspfn_stage_ops *ops;
  uint32_t in_channels;
  uint32_t out_channels;
  size_t bytes;
  double first; /* the last process call's dspfn_output.first */
  _Alignas(64) unsigned char mem[]; /* the stage's state block (dspfn_shape.mem_bytes) */
} kernel_t;

static const napi_type_tag KERNEL_TAG = {0x647370666e6b726eULL, 0x9c1f2b7ad3e4c501ULL};

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

static const dspfn_stage_ops *ops_of_kind(int32_t kind) {
  return kind > 0 && (uint32_t)kind < dspfn_stage_table_size ? dspfn_stage_table[kind] : NULL;
}

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
  size_t n_params = 0;
  if (!get_typed(env, argv[2], napi_float64_array, "params", &params_data, &n_params)) return NULL;
  const double *params = (const double *)params_data;
  char message[320];
  const dspfn_stage_ops *ops = ops_of_kind(kind);
  if (ops == NULL) {
    snprintf(message, sizeof message, "unknown stage kind %d (this module has kinds below %u)", kind, dspfn_stage_table_size);
    throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
    return NULL;
  }
  if (!dspfn_whole(channels_value, 1, 65535)) {
    snprintf(message, sizeof message, "%s: %g is not a channel count (a whole number in 1..65535)", ops->name, channels_value);
    throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
    return NULL;
  }
  const uint32_t channels = (uint32_t)channels_value;
  dspfn_shape shape = {0, 0};
  dspfn_msg why = {{0}};
  int status = ops->check(params, n_params, channels, &shape, &why);
  if (status != DSPFN_OK) {
    throw_error(env, CODE_CONFIG, status, why.text[0] != 0 ? why.text : "invalid parameters");
    return NULL;
  }
  size_t total = sizeof(kernel_t) + shape.mem_bytes;
  total = (total + 63) & ~(size_t)63; /* aligned_alloc wants a multiple of the alignment */
  kernel_t *k = (kernel_t *)aligned_alloc(64, total);
  if (k == NULL) {
    snprintf(message, sizeof message, "%s: cannot allocate %zu bytes of state", ops->name, total);
    throw_error(env, CODE_NATIVE, DSPFN_E_MEM, message);
    return NULL;
  }
  k->ops = ops;
  k->in_channels = channels;
  k->out_channels = shape.out_channels;
  k->bytes = total;
  k->first = 0;
  status = ops->init(k->mem, params, n_params, channels);
  if (status != DSPFN_OK) {
    free(k);
    snprintf(message, sizeof message, "%s: init failed with status %d after its check passed", ops->name, status);
    throw_error(env, CODE_NATIVE, status, message);
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
  CALL(env, napi_adjust_external_memory(env, (int64_t)total, &ignored));
  return handle;
}

static size_t max_frames(const kernel_t *k, size_t frames) {
  return k->ops->max_output_frames != NULL ? k->ops->max_output_frames(k->mem, frames) : frames;
}

static napi_value js_process(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
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
  const char *name = k->ops->name;
  char message[256];
  if (in_length % k->in_channels != 0) {
    snprintf(message, sizeof message, "%s: %zu samples are not whole frames of %u channel(s)", name, in_length, k->in_channels);
    throw_error(env, CODE_SAMPLES, 0, message);
    return NULL;
  }
  const size_t frames = in_length / k->in_channels;
  const size_t most = max_frames(k, frames);
  const size_t need = most * k->out_channels;
  if (out_length < need) {
    snprintf(message, sizeof message, "%s: output holds %zu samples, %zu frames need %zu", name, out_length, frames, need);
    throw_error(env, CODE_SAMPLES, 0, message);
    return NULL;
  }
  /* The same memory is supported when the output is no longer than the input (each frame is read
   * before its output is written); any other overlap would read samples already overwritten. */
  const uintptr_t in0 = (uintptr_t)in_data, in1 = in0 + in_length * sizeof(float);
  const uintptr_t out0 = (uintptr_t)out_data, out1 = out0 + need * sizeof(float);
  if (in0 < out1 && out0 < in1 && (in0 != out0 || need > in_length || k->ops->separate_output)) {
    snprintf(message, sizeof message, "%s: output overlaps input%s", name,
             k->ops->separate_output ? " (this stage writes to separate memory)" : in0 == out0 ? " and is longer than it" : " at another offset");
    throw_error(env, CODE_SAMPLES, 0, message);
    return NULL;
  }
  dspfn_output out = {0, 0, NULL};
  if (k->ops->events) {
    void *positions = NULL;
    size_t n_positions = 0;
    if (argc < 4 || !get_typed(env, argv[3], napi_float64_array, "positions", &positions, &n_positions)) {
      if (argc < 4) {
        snprintf(message, sizeof message, "%s: process(handle, input, output, positions) needs a positions Float64Array (an event stage)", name);
        throw_error(env, CODE_NATIVE, 0, message);
      }
      return NULL;
    }
    if (n_positions < most) {
      snprintf(message, sizeof message, "%s: positions hold %zu values, %zu frames need %zu", name, n_positions, frames, most);
      throw_error(env, CODE_SAMPLES, 0, message);
      return NULL;
    }
    out.positions = (double *)positions;
  }
  if (frames > 0) {
    instance_t *inst = instance(env);
    const int status = k->ops->process(k->mem, in_data, frames, out_data, inst != NULL ? inst->simd : DSPFN_SIMD_SCALAR, &out);
    if (status != DSPFN_OK) {
      snprintf(message, sizeof message, "%s: process failed with status %d", name, status);
      throw_error(env, CODE_NATIVE, status, message);
      return NULL;
    }
    if (out.frames > most) {
      snprintf(message, sizeof message, "%s: wrote %zu frames, more than the %zu it allows", name, out.frames, most);
      throw_error(env, CODE_NATIVE, 0, message);
      return NULL;
    }
  }
  k->first = out.first;
  napi_value result;
  CALL(env, napi_create_double(env, (double)out.frames, &result));
  return result;
}

static napi_value js_max_output_frames(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 2 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) return NULL;
  double frames = 0;
  if (napi_get_value_double(env, argv[1], &frames) != napi_ok || !dspfn_whole(frames, 0, 9007199254740992.0)) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: maxOutputFrames(handle, frames) needs a whole frame count");
    return NULL;
  }
  napi_value result;
  CALL(env, napi_create_double(env, (double)max_frames(k, (size_t)frames), &result));
  return result;
}

static napi_value js_first_output_offset(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 1 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) return NULL;
  napi_value result;
  CALL(env, napi_create_double(env, k->first, &result));
  return result;
}

/* The kernel's state into out (exactly `bytes`, its snapshot_bytes); 0 with a JS error thrown on failure. */
static int write_snapshot(napi_env env, const kernel_t *k, uint8_t *out, size_t bytes) {
  const int status = k->ops->snapshot(k->mem, out, bytes);
  if (status == DSPFN_OK) return 1;
  char message[128];
  snprintf(message, sizeof message, "%s: snapshot failed with status %d", k->ops->name, status);
  throw_error(env, CODE_NATIVE, status, message);
  return 0;
}

static napi_value js_snapshot(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 1 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) return NULL;
  const size_t bytes = k->ops->snapshot_bytes(k->mem);
  void *data = NULL;
  napi_value buffer, array;
  CALL(env, napi_create_arraybuffer(env, bytes, &data, &buffer));
  if (!write_snapshot(env, k, (uint8_t *)data, bytes)) return NULL;
  CALL(env, napi_create_typedarray(env, napi_uint8_array, bytes, buffer, 0, &array));
  return array;
}

/* The state written into caller memory at `offset` when it fits, without a new ArrayBuffer per
 * call (a batch writes every key's state into one buffer); returns the state's size either way, so
 * a caller whose room was short grows it and calls again. */
static napi_value js_snapshot_into(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 3 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (!get_typed(env, argv[1], napi_uint8_array, "target", &data, &length)) return NULL;
  double offset = -1;
  if (napi_get_value_double(env, argv[2], &offset) != napi_ok || !(offset >= 0) || offset > (double)length ||
      offset != (double)(size_t)offset) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: snapshotInto offset must be a whole number within target");
    return NULL;
  }
  const size_t at = (size_t)offset;
  const size_t bytes = k->ops->snapshot_bytes(k->mem);
  if (bytes <= length - at && !write_snapshot(env, k, (uint8_t *)data + at, bytes)) return NULL;
  napi_value result;
  CALL(env, napi_create_double(env, (double)bytes, &result));
  return result;
}

static napi_value js_restore(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 2 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (!get_typed(env, argv[1], napi_uint8_array, "state", &data, &length)) return NULL;
  dspfn_msg why = {{0}};
  const int status = k->ops->restore(k->mem, (const uint8_t *)data, length, &why);
  if (status == DSPFN_OK) return NULL;
  if (why.text[0] == 0) snprintf(why.text, sizeof why.text, "%s state was refused (status %d)", k->ops->name, status);
  throw_error(env, CODE_SNAPSHOT, status, why.text);
  return NULL;
}

static napi_value js_stages(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value list;
  CALL(env, napi_create_array(env, &list));
  uint32_t at = 0;
  for (uint32_t kind = 1; kind < dspfn_stage_table_size; kind++) {
    const dspfn_stage_ops *ops = dspfn_stage_table[kind];
    if (ops == NULL) continue;
    napi_value entry, kind_value, name, version, events;
    CALL(env, napi_create_object(env, &entry));
    CALL(env, napi_create_uint32(env, kind, &kind_value));
    CALL(env, napi_create_string_utf8(env, ops->name, NAPI_AUTO_LENGTH, &name));
    CALL(env, napi_create_uint32(env, ops->state_version, &version));
    CALL(env, napi_get_boolean(env, ops->events != 0, &events));
    CALL(env, napi_set_named_property(env, entry, "kind", kind_value));
    CALL(env, napi_set_named_property(env, entry, "name", name));
    CALL(env, napi_set_named_property(env, entry, "stateVersion", version));
    CALL(env, napi_set_named_property(env, entry, "events", events));
    CALL(env, napi_set_element(env, list, at++, entry));
  }
  return list;
}

/* testHook(handle, args: Float64Array, output: Float32Array): the stage's test_hook on the active path. */
static napi_value js_test_hook(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  kernel_t *k = argc < 3 ? NULL : get_kernel(env, argv[0]);
  if (k == NULL) return NULL;
  void *args = NULL, *out = NULL;
  size_t n_args = 0, n_out = 0;
  if (!get_typed(env, argv[1], napi_float64_array, "args", &args, &n_args) ||
      !get_typed(env, argv[2], napi_float32_array, "output", &out, &n_out)) {
    return NULL;
  }
  char message[128];
  if (k->ops->test_hook == NULL) {
    snprintf(message, sizeof message, "%s has no test hook", k->ops->name);
    throw_error(env, CODE_NATIVE, 0, message);
    return NULL;
  }
  instance_t *inst = instance(env);
  const int status = k->ops->test_hook(k->mem, (const double *)args, n_args, (float *)out, n_out,
                                       inst != NULL ? inst->simd : DSPFN_SIMD_SCALAR);
  if (status != DSPFN_OK) {
    snprintf(message, sizeof message, "%s: test hook failed with status %d", k->ops->name, status);
    throw_error(env, CODE_NATIVE, status, message);
  }
  return NULL;
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
      {"snapshotInto", NULL, js_snapshot_into, NULL, NULL, NULL, napi_enumerable, NULL},
      {"restore", NULL, js_restore, NULL, NULL, NULL, napi_enumerable, NULL},
      {"simd", NULL, js_simd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setSimd", NULL, js_set_simd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxOutputFrames", NULL, js_max_output_frames, NULL, NULL, NULL, napi_enumerable, NULL},
      {"firstOutputOffset", NULL, js_first_output_offset, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stages", NULL, js_stages, NULL, NULL, NULL, napi_enumerable, NULL},
      {"testHook", NULL, js_test_hook, NULL, NULL, NULL, napi_enumerable, NULL},
      {"simdPaths", NULL, js_simd_paths, NULL, NULL, NULL, napi_enumerable, NULL},
      {"formatF32", NULL, js_format_f32, NULL, NULL, NULL, napi_enumerable, NULL},
      {"parseF32", NULL, js_parse_f32, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readFlatEnvelope", NULL, js_read_flat_envelope, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readFlatEnvelopes", NULL, js_read_flat_envelopes, NULL, NULL, NULL, napi_enumerable, NULL},
      {"firstNonFinite", NULL, js_first_non_finite, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crc32c", NULL, js_crc32c, NULL, NULL, NULL, napi_enumerable, NULL},
      {"abi", NULL, NULL, NULL, NULL, abi, napi_enumerable, NULL},
      {"version", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL},
      {"arch", NULL, NULL, NULL, NULL, arch, napi_enumerable, NULL},
  };
  CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}
