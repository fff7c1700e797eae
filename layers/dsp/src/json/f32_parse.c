/*
 * JSON number array -> float32 (see f32_text.h). Line by line the algorithm of
 * core/codecs/json-samples.ts, whose comments explain it: the same double operations in the same
 * order (the build's -ffp-contract=off keeps them unfused), so the floats are the TypeScript code's
 * on every CPU. Property tests compare it with the TypeScript code.
 */
#include "json/f32_text.h"

#include <math.h>
#include <string.h>

/* 10^0 … 10^22, exactly representable doubles. */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* ---------------------------------------------------------------------------------------------
 * JSON number array -> float32
 * ------------------------------------------------------------------------------------------- */

#define MAX_DIGITS 19
#define BRACKET (1.0 / 281474976710656.0) /* 2^-48 */
#define TWO_53 9007199254740992.0

static int is_space(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/*
 * Eight digits at a time (SWAR, as simdjson and fast_float read them): where the next 8 bytes are
 * all digits and the 19-digit budget has room for them, whole·10^8 + their value is exactly what
 * eight steps of the byte loop accumulate, in three multiplies instead of a chain of eight. Little-
 * endian byte order (x86-64, arm64); elsewhere the byte loop does all the work.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DSPFN_SWAR_DIGITS 1
static uint64_t load8(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}
static int eight_digits(uint64_t v) {
  return (((v & 0xF0F0F0F0F0F0F0F0u) | (((v + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4)) == 0x3333333333333333u);
}
static uint64_t eight_digits_value(uint64_t v) {
  const uint64_t mask = 0x000000FF000000FFu;
  const uint64_t mul1 = 0x000F424000000064u; /* 100 + (1000000 << 32) */
  const uint64_t mul2 = 0x0000271000000001u; /* 1 + (10000 << 32) */
  v -= 0x3030303030303030u;
  v = (v * 10) + (v >> 8);
  return (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
}
/* How many of the 8 bytes in v (memory order) come before the first that is not a digit. */
static int leading_digits(uint64_t v) {
  const uint64_t other = ((v & 0xF0F0F0F0F0F0F0F0u) | (((v + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4)) ^ 0x3333333333333333u;
  return other == 0 ? 8 : __builtin_ctzll(other) >> 3;
}
/* The value of the first n (1 … 7) digit bytes of v: moved up, with '0's put below them. */
static uint64_t some_digits_value(uint64_t v, int n) {
  const int shift = 8 * (8 - n);
  return eight_digits_value((v << shift) | (0x3030303030303030u >> (64 - shift)));
}
static const uint64_t POW10_U64[8] = {1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u};
#else
#define DSPFN_SWAR_DIGITS 0
#endif

/*
 * json-samples.ts: number and toFloat32, fast paths only. Returns the index after the number, or 0.
 * bytes[close] is the array's ']': no scan passes it, and 8-byte reads end at or before it.
 */
static size_t parse_number(const uint8_t *bytes, size_t i, size_t close, float *value) {
  int negative = 0;
  if (bytes[i] == '-') {
    negative = 1;
    i++;
  }
  uint8_t c = bytes[i];
  if (!is_digit(c)) return 0;
  /* The digits as an exact integer (19 fit in 64 bits), where the TypeScript code accumulates a
   * double: the same value below 2^53 (where the fast paths are), and above it a closer one, which
   * the bracketed path's error bound still covers (its answer, when it gives one, is the exact one). */
  uint64_t whole = 0;
  int64_t digits = 0;
  int64_t exponent = 0;
  if (c == '0') {
    c = bytes[++i];
    if (is_digit(c)) return 0;
  } else {
    while (is_digit(c)) {
#if DSPFN_SWAR_DIGITS
      if (digits + 8 <= MAX_DIGITS && i + 8 <= close) {
        const uint64_t v = load8(bytes + i);
        if (eight_digits(v)) {
          whole = whole * 100000000u + eight_digits_value(v);
          digits += 8;
          i += 8;
          c = bytes[i];
          continue;
        }
      }
#endif
      if (digits < MAX_DIGITS) {
        whole = whole * 10 + (uint64_t)(c - '0');
        digits++;
      } else exponent++;
      c = bytes[++i];
    }
  }
  if (c == '.') {
    c = bytes[++i];
    if (!is_digit(c)) return 0;
    while (is_digit(c)) {
#if DSPFN_SWAR_DIGITS
      /* Once a significant digit is in (leading zeros are not counted), every digit is. */
      if (digits > 0 && i + 8 <= close) {
        const uint64_t v = load8(bytes + i);
        if (digits + 8 <= MAX_DIGITS && eight_digits(v)) {
          whole = whole * 100000000u + eight_digits_value(v);
          digits += 8;
          exponent -= 8;
          i += 8;
          c = bytes[i];
          continue;
        }
        /* The last few digits (fewer than 8) in one step rather than one by one. */
        const int n = leading_digits(v);
        if (n < 8 && digits + n <= MAX_DIGITS) {
          whole = whole * POW10_U64[n] + some_digits_value(v, n);
          digits += n;
          exponent -= n;
          i += (size_t)n;
          c = bytes[i];
          break;
        }
      }
#endif
      if (digits < MAX_DIGITS) {
        if (digits > 0 || c != '0') {
          whole = whole * 10 + (uint64_t)(c - '0');
          digits++;
        }
        exponent--;
      }
      c = bytes[++i];
    }
  }
  if (c == 'e' || c == 'E') {
    c = bytes[++i];
    int negative_exponent = 0;
    if (c == '-' || c == '+') {
      negative_exponent = c == '-';
      c = bytes[++i];
    }
    if (!is_digit(c)) return 0;
    int64_t e = 0;
    while (is_digit(c)) {
      if (e < 1000000) e = e * 10 + (c - '0');
      c = bytes[++i];
    }
    exponent += negative_exponent ? -e : e;
  }
  const double mantissa = (double)whole;
  float magnitude;
  if (whole == 0) magnitude = 0;
  else if (digits + exponent > 40) return 0;
  else if (digits + exponent < -47) magnitude = 0;
  else if (mantissa < TWO_53 && exponent >= -22 && exponent <= 22) {
    magnitude = (float)(exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent]);
  } else {
    double approx = mantissa;
    int64_t e = exponent;
    while (e > 22) {
      approx *= POW10[22];
      e -= 22;
    }
    while (e < -22) {
      approx /= POW10[22];
      e += 22;
    }
    approx = e < 0 ? approx / POW10[-e] : approx * POW10[e];
    const float low = (float)(approx * (1 - BRACKET));
    if (low != (float)(approx * (1 + BRACKET))) return 0;
    magnitude = low;
  }
  if (isinf(magnitude)) return 0;
  *value = negative ? -magnitude : magnitude;
  return i;
}

int64_t dspfn_f32_parse(const uint8_t *bytes, size_t start, size_t close, float *out, size_t capacity) {
  size_t i = start;
  size_t count = 0;
  if (bytes[close] != ']') return -1;
  for (;;) {
    while (is_space(bytes[i])) i++;
    if (count == 0 && bytes[i] == ']') return 0;
    if (count == capacity) return -2;
    const size_t next = parse_number(bytes, i, close, &out[count]);
    if (next == 0) return -1;
    count++;
    i = next;
    while (is_space(bytes[i])) i++;
    const uint8_t c = bytes[i++];
    if (c == ',') continue;
    if (c == ']') return i - 1 == close ? (int64_t)count : -1;
    return -1;
  }
}
