/*
 * Exhaustive check of the native float32 writer (src/json/f32_format.c) against the round-trip search
 * it replaced, the C twin of core/codecs/float32-format.ts's shortestFast: every one of the 2^32
 * float32 bit patterns is written by both (the writer through dspfn_f32_format, the search's digits
 * through the previous writer's text code, kept here), and the bytes (or both handing the value
 * back to the TypeScript writer) must be identical.
 * Not part of npm test (minutes of CPU); run it after any change to the writer:
 *
 *   gcc -std=c11 -O2 -ffp-contract=off -Wall -Wextra -Werror -Ilayers/dsp/src \
 *       layers/dsp/test/f32_exhaustive.c -o /tmp/f32_exhaustive -lm && /tmp/f32_exhaustive [first last]
 *
 * (first/last: an inclusive range of bit patterns in hex, by default all of them. Add
 * -fsanitize=address and a range to check that no write goes past the bytes a caller reserves.)
 */
#include <stdio.h>
#include <stdlib.h>

#include <math.h>
#include <string.h>

/* The writer. */
#include "json/f32_format.c"

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The previous digits: for k significant digits the two nearest k-digit decimals, checked by
 * converting back through double (exact for these sizes), the fewest k found by bisection. */
static int old_round_trips(double candidate, int p, double x) {
  return candidate > 0 && (double)(float)(p >= 0 ? candidate * POW10[p] : candidate / POW10[-p]) == x;
}

/* Whether a decimal with (about) k significant digits reads back as x; sets *digits and *exponent. */
static int old_try_digits(double x, int e, int k, double *digits, int *exponent) {
  const int p = e - k + 1;
  const double y = p >= 0 ? x / POW10[p] : x * POW10[-p];
  /* floor(y) without a libm call (baseline x86-64 has no rounding instruction): y is positive and
   * below 10^10 here, so truncation is floor, exactly. */
  const double lower = (double)(int64_t)y;
  const double nearest = y - lower < 0.5 ? lower : lower + 1;
  const double other = nearest == lower ? lower + 1 : lower;
  if (old_round_trips(nearest, p, x)) *digits = nearest;
  else if (old_round_trips(other, p, x)) *digits = other;
  else return 0;
  *exponent = p;
  return 1;
}

/* floor(log10(x)) or one off next to a power of ten (float32-format.ts: decimalExponent). */
static int old_decimal_exponent(float value, double x) {
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
static int old_shortest_fast(float value, double x, double *found_digits, int *found_exponent) {
  const int e = old_decimal_exponent(value, x);
  if (e < -13 || e > 21) return 0;
  if (!old_try_digits(x, e, 8, found_digits, found_exponent)) return old_try_digits(x, e, 9, found_digits, found_exponent);
  double digits = *found_digits;
  int exponent = *found_exponent;
  int high = 8;
  for (int k = 7; k >= 6; k--) {
    if (!old_try_digits(x, e, k, found_digits, found_exponent)) {
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
    if (old_try_digits(x, e, mid, found_digits, found_exponent)) {
      high = mid;
      digits = *found_digits;
      exponent = *found_exponent;
    } else low = mid + 1;
  }
  *found_digits = digits;
  *found_exponent = exponent;
  return 1;
}

/* The previous writer's text code: zero (with its sign) or a non-finite value (null) written at
 * *at; 0 for any other value. */
static int old_write_special(float value, uint8_t *out, size_t *at) {
  const double x = value;
  if (x == 0) {
    if (signbit(value)) out[(*at)++] = '-';
    out[(*at)++] = '0';
    return 1;
  }
  if (x != x || isinf(x)) {
    memcpy(out + *at, "null", 4);
    *at += 4;
    return 1;
  }
  return 0;
}

static const uint8_t OLD_PAIRS[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* The positive number found·10^exponent as writeFloat32Of writes it (JavaScript's Number text). */
static size_t old_write_decimal(uint32_t found, int exponent, uint8_t *out, size_t at) {
  uint32_t digits = found;
  while (digits % 10 == 0) {
    digits /= 10;
    exponent++;
  }
  uint8_t scratch[20];
  int k = 0;
  while (digits >= 100) {
    const uint32_t pair = digits % 100;
    digits /= 100;
    scratch[19 - k] = OLD_PAIRS[2 * pair + 1];
    scratch[18 - k] = OLD_PAIRS[2 * pair];
    k += 2;
  }
  if (digits >= 10) {
    scratch[19 - k] = OLD_PAIRS[2 * digits + 1];
    scratch[18 - k] = OLD_PAIRS[2 * digits];
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

/* One value as the previous writer wrote it (the search's digits, its text code); 0 when it
 * needed the slow path (nothing written). */
static size_t old_write_one(float value, uint8_t *out, size_t at) {
  if (old_write_special(value, out, &at)) return at;
  const double x = value;
  double found = 0;
  int exponent = 0;
  if (!old_shortest_fast(value < 0 ? -value : value, x < 0 ? -x : x, &found, &exponent)) return 0;
  if (x < 0) out[at++] = '-';
  return old_write_decimal((uint32_t)found, exponent, out, at);
}

/* One value as the writer writes it, after its comma (as the second of two, from index 1: the
 * reservation of DSPFN_F32_TEXT_MAX + 1 bytes covers the comma too); 0 when it hands the value back
 * (nothing written). `out` must hold the comma and the text. */
static size_t new_write_one(float value, uint8_t *out) {
  const float pair[2] = {value, value};
  size_t index = 1;
  const size_t end = dspfn_f32_format(pair, 2, &index, out, 0);
  return index == 2 ? end : 0;
}

int main(int argc, char **argv) {
  const uint64_t first = argc > 2 ? strtoull(argv[1], NULL, 16) : 0;
  const uint64_t last = argc > 2 ? strtoull(argv[2], NULL, 16) : 0xffffffffu;
  uint64_t checked = 0, mismatches = 0, native = 0;
  /* Exactly what a caller reserves for one value, on the heap: -fsanitize=address catches a write
   * past it. */
  uint8_t *a = malloc(DSPFN_F32_TEXT_MAX + 1), b[32];
  if (a == NULL) return 2;
  for (uint64_t bits = first; bits <= last; bits++) {
    const uint32_t pattern = (uint32_t)bits;
    float value;
    memcpy(&value, &pattern, sizeof value);
    b[0] = ',';
    const size_t na = new_write_one(value, a);
    const size_t nb = old_write_one(value, b, 1);
    checked++;
    if (nb != 0) native++;
    if ((na == 0) != (nb == 0) || (na != 0 && (na != nb || memcmp(a, b, na) != 0))) {
      if (mismatches < 20) {
        printf("mismatch %08x: new \"%.*s\" old \"%.*s\"\n", pattern, (int)na, (const char *)a, (int)nb,
               (const char *)b);
      }
      mismatches++;
    }
  }
  printf("checked %llu bit patterns %08llx..%08llx: %llu written natively, %llu mismatches\n",
         (unsigned long long)checked, (unsigned long long)first, (unsigned long long)last,
         (unsigned long long)native, (unsigned long long)mismatches);
  free(a);
  return mismatches == 0 ? 0 : 1;
}
