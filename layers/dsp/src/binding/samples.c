/*
 * Sample checks for the handler's decode step (core/dsp/finite.ts):
 *
 *   firstNonFinite(values: Float32Array) -> the index of the first NaN or ±Infinity, or -1
 *
 * A float32 is not finite exactly when its exponent bits are all ones, so the scan is integer
 * work on the bits: blocks of words are OR-reduced (the compiler vectorises the loop: SSE2 on
 * x86-64, NEON on arm64) and only a block that has one is searched word by word.
 */
#include <stdint.h>

#include "binding/napi.h"

#define EXPONENT 0x7f800000u
#define BLOCK 256

static int64_t first_non_finite(const uint32_t *words, size_t count) {
  for (size_t start = 0; start < count; start += BLOCK) {
    const size_t end = count - start < BLOCK ? count : start + BLOCK;
    uint32_t any = 0;
    for (size_t i = start; i < end; i++) any |= (uint32_t)((words[i] & EXPONENT) == EXPONENT);
    if (!any) continue;
    for (size_t i = start; i < end; i++) {
      if ((words[i] & EXPONENT) == EXPONENT) return (int64_t)i;
    }
  }
  return -1;
}

napi_value js_first_non_finite(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: firstNonFinite expects a Float32Array");
    return NULL;
  }
  /* A Float32Array is 4-byte aligned (its byteOffset must be), so its words can be read as uint32. */
  const int64_t index = length == 0 ? -1 : first_non_finite((const uint32_t *)data, length);
  napi_value result;
  CALL(env, napi_create_double(env, (double)index, &result));
  return result;
}
