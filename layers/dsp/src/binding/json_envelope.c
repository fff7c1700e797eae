/*
 * A record's common JSON envelope for core/codecs/flat-envelope.ts (json/flat_envelope.h):
 *
 *   readFlatEnvelope(bytes: Uint8Array, out: Float32Array, frame: Int32Array)
 *     -> samples read into out[frame[0] …]; -2: they do not fit; -1: read the record with the
 *     TypeScript code instead. frame: [at, wanted count, kind/start/end per wanted field, then
 *     the names (the sample field first), each after its length byte] — one argument for what
 *     would be four (each costs the call ~10 ns).
 *
 *   readFlatEnvelopes(memory: Uint8Array, spans: Int32Array, out: Float32Array, frame: Int32Array,
 *                     results: Int32Array) -> records read
 *     the same for many records at once: record r is memory[spans[2r] … spans[2r + 1]); its samples
 *     go to out after those of the records before it, from out[frame[0]]. results holds 2 + 3 ·
 *     wanted words per record: its sample count (-1: read it with the TypeScript code), where its
 *     samples start in out, then its fields' slots as readFlatEnvelope gives them (relative to the
 *     record's first byte). It stops before the first record whose samples do not fit, and leaves
 *     in frame[0] where the next would go: the records read are its answer. One call per run of a
 *     batch's records that lie in one buffer (a fetch response, the event's value slab) instead of
 *     one each: each call costs ~100 ns before it reads a byte.
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

/*
 * The frame argument as int32 words, checked: its fields and names fit (frame_fits) and its first
 * word, where the samples go, lies within `capacity` floats. NULL once an error is thrown.
 */
static int32_t *checked_frame(napi_env env, void *frame, size_t frame_bytes, size_t capacity, const char *malformed) {
  int32_t *words = (int32_t *)frame;
  if (!frame_fits(words, frame_bytes)) {
    throw_error(env, CODE_NATIVE, 0, malformed);
    return NULL;
  }
  if (words[0] < 0 || (size_t)words[0] > capacity) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: index out of range");
    return NULL;
  }
  return words;
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
  const size_t capacity = out_bytes / sizeof(float);
  int32_t *words = checked_frame(env, frame, frame_bytes, capacity, "dspfn native: readFlatEnvelope frame malformed");
  if (words == NULL) return NULL;
  const size_t at = (size_t)words[0], wanted = (size_t)words[1];
  /* Positions go back as int32: longer records take the TypeScript path. */
  const int64_t count = length > INT32_MAX ? -1
                                           : dspfn_flat_envelope((const uint8_t *)bytes, length, (const uint8_t *)(words + 2 + 3 * wanted), wanted,
                                                                 (float *)out + at, capacity - at, words + 2);
  napi_value result;
  CALL(env, napi_create_double(env, (double)count, &result));
  return result;
}

napi_value js_read_flat_envelopes(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *memory = NULL, *spans = NULL, *out = NULL, *frame = NULL, *results = NULL;
  size_t length = 0, spans_bytes = 0, out_bytes = 0, frame_bytes = 0, results_bytes = 0;
  if (argc < 5 || !get_bytes(env, argv[0], &memory, &length) || !get_bytes(env, argv[1], &spans, &spans_bytes) || !get_bytes(env, argv[2], &out, &out_bytes) ||
      !get_bytes(env, argv[3], &frame, &frame_bytes) || !get_bytes(env, argv[4], &results, &results_bytes)) {
    return NULL;
  }
  const size_t capacity = out_bytes / sizeof(float);
  int32_t *words = checked_frame(env, frame, frame_bytes, capacity, "dspfn native: readFlatEnvelopes frame malformed");
  if (words == NULL) return NULL;
  /* Positions and counts go back as int32. */
  if (capacity > INT32_MAX) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: index out of range");
    return NULL;
  }
  const size_t wanted = (size_t)words[1], stride = 2 + 3 * wanted, count = spans_bytes / (2 * sizeof(int32_t));
  if (results_bytes / sizeof(int32_t) / stride < count) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: readFlatEnvelopes results too short");
    return NULL;
  }
  const int32_t *span = (const int32_t *)spans;
  const uint8_t *names = (const uint8_t *)(words + 2 + 3 * wanted);
  size_t at = (size_t)words[0], done = 0;
  for (; done < count; done++) {
    const int32_t start = span[2 * done], end = span[2 * done + 1];
    if (start < 0 || end < start || (size_t)end > length) {
      throw_error(env, CODE_NATIVE, 0, "dspfn native: index out of range");
      return NULL;
    }
    int32_t *result = (int32_t *)results + done * stride;
    const int64_t samples = dspfn_flat_envelope((const uint8_t *)memory + start, (size_t)(end - start), names, wanted, (float *)out + at, capacity - at, result + 2);
    if (samples == -2) break;
    result[0] = (int32_t)samples;
    result[1] = (int32_t)at;
    if (samples > 0) at += (size_t)samples;
  }
  words[0] = (int32_t)at;
  napi_value value;
  CALL(env, napi_create_double(env, (double)done, &value));
  return value;
}
