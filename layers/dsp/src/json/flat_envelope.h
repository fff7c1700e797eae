/*
 * A record's common JSON envelope in one pass (core/codecs/flat-envelope.ts):
 * `{"deviceId":"d-1","sampleRate":1000,"data":[…]}` — the sample array parsed into float32, the
 * other fields' values located for the caller, which makes them into JavaScript values.
 */
#ifndef DSPFN_JSON_FLAT_ENVELOPE_H
#define DSPFN_JSON_FLAT_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

/* Kinds in the slots (0: the object has no such field). */
#define DSPFN_FIELD_STRING 1
#define DSPFN_FIELD_NUMBER 2

/*
 * Reads bytes[0, length) when it is one flat object, exactly what sample-envelope.ts flatFields
 * accepts: JSON white space around tokens, names and string values of printable ASCII without
 * escapes, plain numbers (RFC 8259 grammar), no name `__proto__`, and the field `names[0]` present
 * once holding a number array (dspfn_f32_parse's fast paths), which goes to out (room for
 * `capacity`). `names` is the field names, each after a byte giving its length: the sample field
 * first, then the `wanted` ones. For wanted field j, slots[3j … 3j+2] get its kind and the bytes
 * [start, end) of its value, without quotes (the last one where it appears twice; kind 0 where
 * absent). Returns the sample count; -2 when more than `capacity`; -1 for anything else (the
 * caller then reads the record with the reference code, which words any error).
 */
int64_t dspfn_flat_envelope(const uint8_t *bytes, size_t length, const uint8_t *names, size_t wanted, float *out, size_t capacity,
                            int32_t *slots);

#endif /* DSPFN_JSON_FLAT_ENVELOPE_H */
