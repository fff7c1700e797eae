/*
 * JSON number text <-> float32 (see f32_text.h). Line by line the algorithms of
 * core/codecs/float32-format.ts and core/codecs/json-samples.ts, whose comments explain them: the
 * same double operations in the same order (the build's -ffp-contract=off keeps them unfused), so
 * the bytes and floats are the TypeScript code's on every CPU. Property tests compare the two.
 */
#include "json/f32_text.h"

#include <math.h>
#include <string.h>

/* 10^0 … 10^22, exactly representable doubles. */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const uint8_t PAIRS[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* ---------------------------------------------------------------------------------------------
 * float32 -> shortest text
 * ------------------------------------------------------------------------------------------- */

static int round_trips(double candidate, int p, double x) {
  return candidate > 0 && (double)(float)(p >= 0 ? candidate * POW10[p] : candidate / POW10[-p]) == x;
}

/* Whether a decimal with (about) k significant digits reads back as x; sets *digits and *exponent. */
static int try_digits(double x, int e, int k, double *digits, int *exponent) {
  const int p = e - k + 1;
  const double y = p >= 0 ? x / POW10[p] : x * POW10[-p];
  /* floor(y) without a libm call (baseline x86-64 has no rounding instruction): y is positive and
   * below 10^10 here, so truncation is floor, exactly. */
  const double lower = (double)(int64_t)y;
  const double nearest = y - lower < 0.5 ? lower : lower + 1;
  const double other = nearest == lower ? lower + 1 : lower;
  if (round_trips(nearest, p, x)) *digits = nearest;
  else if (round_trips(other, p, x)) *digits = other;
  else return 0;
  *exponent = p;
  return 1;
}

/* floor(log10(x)) or one off next to a power of ten (float32-format.ts: decimalExponent). */
static int decimal_exponent(float value, double x) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  const uint32_t biased = bits >> 23;
  if (biased == 0) return -46;
  const double scaled = ((double)biased - 127) * 0.3010299956639812;
  int e = (int)scaled; /* truncation; floor for the negative ones below */
  if ((double)e > scaled) e--;
  const int next = e + 1;
  if (next >= 0 ? next <= 22 && x >= POW10[next] : next >= -22 && x * POW10[-next] >= 1) return next;
  return e;
}

/* float32-format.ts: shortestFast. */
static int shortest_fast(float value, double x, double *found_digits, int *found_exponent) {
  const int e = decimal_exponent(value, x);
  if (e < -13 || e > 21) return 0;
  if (!try_digits(x, e, 8, found_digits, found_exponent)) return try_digits(x, e, 9, found_digits, found_exponent);
  double digits = *found_digits;
  int exponent = *found_exponent;
  int high = 8;
  for (int k = 7; k >= 6; k--) {
    if (!try_digits(x, e, k, found_digits, found_exponent)) {
      *found_digits = digits;
      *found_exponent = exponent;
      return 1;
    }
    digits = *found_digits;
    exponent = *found_exponent;
    high = k;
  }
  int low = 1;
  while (low < high) {
    const int mid = (low + high) >> 1;
    if (try_digits(x, e, mid, found_digits, found_exponent)) {
      high = mid;
      digits = *found_digits;
      exponent = *found_exponent;
    } else low = mid + 1;
  }
  *found_digits = digits;
  *found_exponent = exponent;
  return 1;
}

/* One value as writeFloat32Of writes it; 0 when it needs the slow path (nothing written). */
static size_t write_one(float value, uint8_t *out, size_t at) {
  const double x = value;
  if (x == 0) {
    if (signbit(value)) out[at++] = '-';
    out[at++] = '0';
    return at;
  }
  if (x != x || isinf(x)) {
    memcpy(out + at, "null", 4);
    return at + 4;
  }
  double magnitude = x;
  double found = 0;
  int exponent = 0;
  if (x < 0) magnitude = -x;
  if (!shortest_fast(value < 0 ? -value : value, magnitude, &found, &exponent)) return 0;
  if (x < 0) out[at++] = '-';
  /* At most 9 digits (10 before the zeros go): 32-bit arithmetic, two digits at a time. */
  uint32_t digits = (uint32_t)found;
  while (digits % 10 == 0) {
    digits /= 10;
    exponent++;
  }
  uint8_t scratch[20];
  int k = 0;
  while (digits >= 100) {
    const uint32_t pair = digits % 100;
    digits /= 100;
    scratch[19 - k] = PAIRS[2 * pair + 1];
    scratch[18 - k] = PAIRS[2 * pair];
    k += 2;
  }
  if (digits >= 10) {
    scratch[19 - k] = PAIRS[2 * digits + 1];
    scratch[18 - k] = PAIRS[2 * digits];
    k += 2;
  } else {
    scratch[19 - k] = (uint8_t)('0' + digits);
    k++;
  }
  const int first = 20 - k;
  const int n = k + exponent;
  if (k <= n && n <= 21) {
    for (int i = first; i < 20; i++) out[at++] = scratch[i];
    for (int i = k; i < n; i++) out[at++] = '0';
  } else if (0 < n && n <= 21) {
    for (int i = 0; i < n; i++) out[at++] = scratch[first + i];
    out[at++] = '.';
    for (int i = n; i < k; i++) out[at++] = scratch[first + i];
  } else if (-6 < n && n <= 0) {
    out[at++] = '0';
    out[at++] = '.';
    for (int i = n; i < 0; i++) out[at++] = '0';
    for (int i = first; i < 20; i++) out[at++] = scratch[i];
  } else {
    out[at++] = scratch[first];
    if (k > 1) {
      out[at++] = '.';
      for (int i = first + 1; i < 20; i++) out[at++] = scratch[i];
    }
    out[at++] = 'e';
    int e = n - 1;
    out[at++] = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    if (e >= 10) out[at++] = (uint8_t)('0' + e / 10);
    out[at++] = (uint8_t)('0' + e % 10);
  }
  return at;
}

size_t dspfn_f32_format(const float *values, size_t count, size_t *index, uint8_t *out, size_t at) {
  size_t i = *index;
  for (; i < count; i++) {
    const size_t start = at;
    if (i > 0) out[at++] = ',';
    const size_t end = write_one(values[i], out, at);
    if (end == 0) {
      at = start;
      break;
    }
    at = end;
  }
  *index = i;
  return at;
}

/* ---------------------------------------------------------------------------------------------
 * JSON number array -> float32
 * ------------------------------------------------------------------------------------------- */

#define MAX_DIGITS 19
#define BRACKET (1.0 / 281474976710656.0) /* 2^-48 */
#define TWO_53 9007199254740992.0

static int is_space(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* json-samples.ts: number and toFloat32, fast paths only. Returns the index after the number, or 0. */
static size_t parse_number(const uint8_t *bytes, size_t i, float *value) {
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
    const size_t next = parse_number(bytes, i, &out[count]);
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
