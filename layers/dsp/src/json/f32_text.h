/*
 * JSON number text <-> float32, in portable scalar C (one path on every CPU, with results identical
 * to the TypeScript reference's: the reader by the same IEEE double operations in the same order,
 * the writer by integer arithmetic checked against it over all 2^32 floats):
 *
 *   core/codecs/float32-format.ts  dspfn_f32_format: the shortest digits that read back to the float32
 *   core/codecs/json-samples.ts    dspfn_f32_parse: a JSON number array into float32
 *
 * Both handle the common case and hand anything else back to the TypeScript code (which words
 * errors and takes the rare exact slow paths), so they never need to agree on an error message.
 */
#ifndef DSPFN_JSON_F32_TEXT_H
#define DSPFN_JSON_F32_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes one value may take, as MAX_FLOAT32_TEXT in float32-format.ts; callers reserve one more for the comma. */
#define DSPFN_F32_TEXT_MAX 24

/*
 * Writes values[*index], values[*index + 1], … at out[at], each after a comma when its index is
 * above 0, and returns the position after the last one written. Stops (leaving *index at the
 * value) before a value outside the fast path's range, 1e-13 … 1e21 in magnitude, which the
 * caller writes; *index is `count` when all are written. The caller reserves
 * (count - *index) × (DSPFN_F32_TEXT_MAX + 1) bytes.
 */
size_t dspfn_f32_format(const float *values, size_t count, size_t *index, uint8_t *out, size_t at);

/*
 * Reads the samples of a JSON number array from bytes[start] (just after its '[') to its ']' at
 * bytes[close], the first ']' after start, into out (room for `capacity`). Returns how many; -2
 * when there are more than `capacity` (the caller grows `out` and calls again); or -1 when the
 * text is anything but plain numbers and separators within the fast paths (malformed JSON, a value
 * out of range, a number that needs the exact slow path): the caller then reads the array with
 * the reference reader.
 */
int64_t dspfn_f32_parse(const uint8_t *bytes, size_t start, size_t close, float *out, size_t capacity);

#endif /* DSPFN_JSON_F32_TEXT_H */
