/*
 * A record's common JSON envelope for core/codecs/flat-envelope.ts (json/flat_envelope.h):
 *
 *   readFlatEnvelope(bytes: Uint8Array, names: Uint8Array, out: Float32Array, at, slots: Int32Array)
 *     -> samples read into out[at …]; -2: they do not fit; -1: read the record with the
 *     TypeScript code instead. names: [wanted count, then each name (the sample field first)
 *     after its length byte]; slots: kind, start, end per wanted field.
 *
 * One call per record does what took a JavaScript scan of the object, a call for its array and a
 * copy of the samples out of a scratch array. Bounds are checked here (a wrong argument throws,
 * never reads or writes out of bounds).
 */
#include <stdint.h>

#include "binding/napi.h"
#include "json/flat_envelope.h"

static int view_of(napi_env env, napi_value value, void **data, size_t *length) {
  if (napi_get_buffer_info(env, value, data, length) != napi_ok) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: expected a typed array");
    return 0;
  }
  return 1;
}

/* Whether names holds `wanted` + 1 names after its count byte, and slots room for theirs. */
static int names_fit(const uint8_t *names, size_t names_bytes, size_t slots_bytes) {
  if (names_bytes == 0) return 0;
  const size_t wanted = names[0];
  size_t at = 1;
  for (size_t j = 0; j <= wanted; j++) {
    if (at >= names_bytes) return 0;
    at += 1 + (size_t)names[at];
  }
  return at <= names_bytes && slots_bytes >= 3 * wanted * sizeof(int32_t);
}

napi_value js_read_flat_envelope(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *bytes = NULL, *names = NULL, *out = NULL, *slots = NULL;
  size_t length = 0, names_bytes = 0, out_bytes = 0, slots_bytes = 0;
  double at = -1;
  if (argc < 5 || !view_of(env, argv[0], &bytes, &length) || !view_of(env, argv[1], &names, &names_bytes) ||
      !view_of(env, argv[2], &out, &out_bytes) || !view_of(env, argv[4], &slots, &slots_bytes)) {
    return NULL;
  }
  const size_t capacity = out_bytes / sizeof(float);
  if (napi_get_value_double(env, argv[3], &at) != napi_ok || !(at >= 0) || at > (double)capacity || at != (double)(size_t)at) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: index out of range");
    return NULL;
  }
  if (!names_fit((const uint8_t *)names, names_bytes, slots_bytes)) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: readFlatEnvelope names or slots malformed");
    return NULL;
  }
  /* Positions go back as int32: longer records take the TypeScript path. */
  const int64_t count = length > INT32_MAX ? -1
                                           : dspfn_flat_envelope((const uint8_t *)bytes, length, (const uint8_t *)names + 1, ((const uint8_t *)names)[0],
                                                                 (float *)out + (size_t)at, capacity - (size_t)at, (int32_t *)slots);
  napi_value result;
  CALL(env, napi_create_double(env, (double)count, &result));
  return result;
}
