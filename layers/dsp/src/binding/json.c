/*
 * JSON number text <-> float32 for core/codecs (json/f32_text.h):
 *
 *   formatF32(values: Float32Array, out: Uint8Array, at, from, state: Float64Array) -> the position
 *     after the text of values[from] … when all are written; when it stops at a value it leaves to
 *     the caller, -1 - that position, and the value's index in state[0] (the caller writes that
 *     one and calls again from the next). state is looked at only then: a call that writes all
 *     (nearly every one) costs one typed array fewer.
 *   parseF32(bytes: Uint8Array, start, close, out: Float32Array) -> samples read; -2: out is too
 *     short, grow it and call again; -1: read the array with the reference reader instead
 *
 * Bounds are checked here (a wrong argument throws, never reads or writes out of bounds); the
 * element types by the TypeScript callers.
 */
#include <stdio.h>

#include "binding/napi.h"
#include "json/f32_text.h"

/* Also json_envelope.c's: any ArrayBufferView's memory, else a thrown error and 0. */
int get_bytes(napi_env env, napi_value value, void **data, size_t *length) {
  if (napi_get_buffer_info(env, value, data, length) != napi_ok) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: expected a typed array");
    return 0;
  }
  return 1;
}

static int get_index(napi_env env, napi_value value, size_t limit, size_t *index) {
  double number = -1;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 0) || number > (double)limit || number != (double)(size_t)number) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: index out of range");
    return 0;
  }
  *index = (size_t)number;
  return 1;
}

napi_value js_format_f32(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *values = NULL, *out = NULL;
  size_t values_bytes = 0, out_bytes = 0, at = 0, from = 0;
  if (argc < 5 || !get_bytes(env, argv[0], &values, &values_bytes) || !get_bytes(env, argv[1], &out, &out_bytes) ||
      !get_index(env, argv[2], out_bytes, &at) || !get_index(env, argv[3], values_bytes / sizeof(float), &from)) {
    return NULL;
  }
  const size_t count = values_bytes / sizeof(float);
  if ((out_bytes - at) / (DSPFN_F32_TEXT_MAX + 1) < count - from) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: formatF32 output too short");
    return NULL;
  }
  size_t index = from;
  const size_t end = dspfn_f32_format((const float *)values, count, &index, (uint8_t *)out, at);
  double result = (double)end;
  if (index < count) {
    void *state = NULL;
    size_t state_bytes = 0;
    if (!get_bytes(env, argv[4], &state, &state_bytes)) return NULL;
    if (state_bytes < sizeof(double)) {
      throw_error(env, CODE_NATIVE, 0, "dspfn native: formatF32 state must hold an index");
      return NULL;
    }
    ((double *)state)[0] = (double)index;
    result = -1 - result;
  }
  napi_value value;
  CALL(env, napi_create_double(env, result, &value));
  return value;
}

napi_value js_parse_f32(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *bytes = NULL, *out = NULL;
  size_t length = 0, out_bytes = 0, start = 0, close = 0;
  if (argc < 4 || !get_bytes(env, argv[0], &bytes, &length) || !get_bytes(env, argv[3], &out, &out_bytes) ||
      length == 0 || !get_index(env, argv[2], length - 1, &close) || !get_index(env, argv[1], close, &start)) {
    return NULL;
  }
  const int64_t count = dspfn_f32_parse((const uint8_t *)bytes, start, close, (float *)out, out_bytes / sizeof(float));
  napi_value result;
  CALL(env, napi_create_double(env, (double)count, &result));
  return result;
}
