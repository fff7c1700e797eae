/*
 * A record's common JSON envelope for core/codecs/flat-envelope.ts (json/flat_envelope.h):
 *
 *   readFlatEnvelope(bytes: Uint8Array, out: Float32Array, frame: Int32Array)
 *     -> samples read into out[frame[0] …]; -2: they do not fit; -1: read the record with the
 *     TypeScript code instead. frame: [at, wanted count, kind/start/end per wanted field, then
 *     the names (the sample field first), each after its length byte] — one argument for what
 *     would be four (each costs the call ~10 ns).
 *
 * One call per record does what took a JavaScript scan of the object, a call for its array and a
 * copy of the samples out of a scratch array. Bounds are checked here (a wrong argument throws,
 * never reads or writes out of bounds).
 */
#include <stdint.h>

#include "binding/napi.h"
#include "json/flat_envelope.h"

/*
 * Whether frame (int32 words: at, wanted, 3 slots per wanted field, then the names) holds them:
 * `wanted` + 1 names after the slots, each after its length byte.
 */
static int frame_fits(const int32_t *frame, size_t frame_bytes) {
  if (frame_bytes < 2 * sizeof(int32_t) || frame[1] < 0 || frame[1] > 255) return 0;
  const size_t wanted = (size_t)frame[1];
  const size_t names = (2 + 3 * wanted) * sizeof(int32_t);
  if (names > frame_bytes) return 0;
  const uint8_t *bytes = (const uint8_t *)frame;
  size_t at = names;
  for (size_t j = 0; j <= wanted; j++) {
    if (at >= frame_bytes) return 0;
    at += 1 + (size_t)bytes[at];
  }
  return at <= frame_bytes;
}

napi_value js_read_flat_envelope(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *bytes = NULL, *out = NULL, *frame = NULL;
  size_t length = 0, out_bytes = 0, frame_bytes = 0;
  if (argc < 3 || !get_bytes(env, argv[0], &bytes, &length) || !get_bytes(env, argv[1], &out, &out_bytes) || !get_bytes(env, argv[2], &frame, &frame_bytes)) {
    return NULL;
  }
  int32_t *words = (int32_t *)frame;
  if (!frame_fits(words, frame_bytes)) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: readFlatEnvelope frame malformed");
    return NULL;
  }
  const size_t capacity = out_bytes / sizeof(float);
  if (words[0] < 0 || (size_t)words[0] > capacity) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: index out of range");
    return NULL;
  }
  const size_t at = (size_t)words[0], wanted = (size_t)words[1];
  /* Positions go back as int32: longer records take the TypeScript path. */
  const int64_t count = length > INT32_MAX ? -1
                                           : dspfn_flat_envelope((const uint8_t *)bytes, length, (const uint8_t *)(words + 2 + 3 * wanted), wanted,
                                                                 (float *)out + at, capacity - at, words + 2);
  napi_value result;
  CALL(env, napi_create_double(env, (double)count, &result));
  return result;
}
