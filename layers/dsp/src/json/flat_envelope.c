/*
 * The common JSON envelope of a record (flat_envelope.h): the scan of sample-envelope.ts
 * flatFields, step by step, with the sample array read by dspfn_f32_parse straight into the
 * caller's memory. Where flatFields would answer undefined this answers -1, and so does anything
 * dspfn_f32_parse hands back: the caller then takes the TypeScript path, which decides as before.
 */
#include "json/flat_envelope.h"

#include <string.h>

#include "json/f32_text.h"

static int is_space(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static size_t skip_space(const uint8_t *bytes, size_t i, size_t length) {
  while (i < length && is_space(bytes[i])) i++;
  return i;
}

/* The index of the closing quote of printable ASCII without escapes from i; 0 otherwise (i > 0 always). */
static size_t plain_string(const uint8_t *bytes, size_t i, size_t length) {
  for (; i < length; i++) {
    const uint8_t c = bytes[i];
    if (c == '"') return i;
    if (c == '\\' || c < 0x20 || c >= 0x7f) return 0;
  }
  return 0;
}

/* The index after a JSON number from i; 0 when the bytes there are not one (flatFields' plainNumber). */
static size_t plain_number(const uint8_t *bytes, size_t i, size_t length) {
  if (i < length && bytes[i] == '-') i++;
  if (i >= length) return 0;
  if (bytes[i] == '0') i++;
  else if (bytes[i] > '0' && bytes[i] <= '9') {
    while (i < length && is_digit(bytes[i])) i++;
  } else return 0;
  if (i < length && bytes[i] == '.') {
    const size_t digits = ++i;
    while (i < length && is_digit(bytes[i])) i++;
    if (i == digits) return 0;
  }
  if (i < length && (bytes[i] == 'e' || bytes[i] == 'E')) {
    i++;
    if (i < length && (bytes[i] == '+' || bytes[i] == '-')) i++;
    const size_t digits = i;
    while (i < length && is_digit(bytes[i])) i++;
    if (i == digits) return 0;
  }
  return i;
}

/* 0 for the sample field, j + 1 for wanted field j, -1 for any other name. */
static int which(const uint8_t *name, size_t size, const uint8_t *names, size_t wanted) {
  for (size_t j = 0; j <= wanted; j++) {
    const size_t n = names[0];
    if (n == size && memcmp(names + 1, name, size) == 0) return (int)j;
    names += 1 + n;
  }
  return -1;
}

/* The ']' of `…]}` (white space allowed around the '}') ending bytes[from, length); 0 otherwise (json-samples.ts lastArrayEnd). */
static size_t last_array_end(const uint8_t *bytes, size_t from, size_t length) {
  size_t at = length;
  while (at > from && is_space(bytes[at - 1])) at--;
  if (at <= from || bytes[at - 1] != '}') return 0;
  at--;
  while (at > from && is_space(bytes[at - 1])) at--;
  return at > from && bytes[at - 1] == ']' ? at - 1 : 0;
}

int64_t dspfn_flat_envelope(const uint8_t *bytes, size_t length, const uint8_t *names, size_t wanted, float *out, size_t capacity,
                            int32_t *slots) {
  for (size_t j = 0; j < 3 * wanted; j++) slots[j] = 0;
  size_t i = skip_space(bytes, 0, length);
  if (i >= length || bytes[i] != '{') return -1;
  i++;
  int64_t count = -1;
  for (;;) {
    i = skip_space(bytes, i, length);
    if (i >= length || bytes[i] != '"') return -1;
    const size_t name_start = i + 1;
    const size_t name_end = plain_string(bytes, name_start, length);
    if (name_end == 0) return -1;
    const size_t name_size = name_end - name_start;
    if (name_size == 9 && memcmp(bytes + name_start, "__proto__", 9) == 0) return -1;
    i = skip_space(bytes, name_end + 1, length);
    if (i >= length || bytes[i] != ':') return -1;
    i = skip_space(bytes, i + 1, length);
    if (i >= length) return -1;
    const uint8_t c = bytes[i];
    const int field = which(bytes + name_start, name_size, names, wanted);
    if (field == 0) {
      if (count >= 0 || c != '[') return -1;
      /* As the TypeScript reader bounds it: the record's last ']' when the array ends the object, else its first. */
      size_t close = last_array_end(bytes, i + 1, length);
      if (close == 0) {
        const uint8_t *found = memchr(bytes + i + 1, ']', length - (i + 1));
        if (found == NULL) return -1;
        close = (size_t)(found - bytes);
      }
      count = dspfn_f32_parse(bytes, i + 1, close, out, capacity);
      if (count < 0) return count;
      i = close + 1;
    } else if (c == '"') {
      const size_t value_end = plain_string(bytes, i + 1, length);
      if (value_end == 0) return -1;
      if (field > 0) {
        int32_t *slot = slots + 3 * (field - 1);
        slot[0] = DSPFN_FIELD_STRING;
        slot[1] = (int32_t)(i + 1);
        slot[2] = (int32_t)value_end;
      }
      i = value_end + 1;
    } else if (c == '-' || is_digit(c)) {
      const size_t number_end = plain_number(bytes, i, length);
      if (number_end == 0) return -1;
      if (field > 0) {
        int32_t *slot = slots + 3 * (field - 1);
        slot[0] = DSPFN_FIELD_NUMBER;
        slot[1] = (int32_t)i;
        slot[2] = (int32_t)number_end;
      }
      i = number_end;
    } else {
      return -1;
    }
    i = skip_space(bytes, i, length);
    if (i < length && bytes[i] == ',') {
      i++;
      continue;
    }
    if (i >= length || bytes[i] != '}') return -1;
    /* Nothing but white space may follow the object. */
    if (skip_space(bytes, i + 1, length) != length) return -1;
    return count;
  }
}
