/*
 * Exhaustive check of the native float32 writer (src/json/f32_format.c) against the round-trip search
 * it replaced, the C twin of core/codecs/float32-format.ts's shortestFast: every one of the 2^32
 * float32 bit patterns is written by both (their digits and exponent, in the writer's one text
 * form), and the bytes (or both handing the value back to the TypeScript writer) must be identical.
 * Not part of npm test (minutes of CPU); run it after any change to the writer:
 *
 *   gcc -std=c11 -O2 -ffp-contract=off -Wall -Wextra -Werror -Ilayers/dsp/src \
 *       layers/dsp/test/f32_exhaustive.c -o /tmp/f32_exhaustive -lm && /tmp/f32_exhaustive [first last]
 *
 * (first/last: an inclusive range of bit patterns in hex, by default all of them.)
 */
#include <stdio.h>
#include <stdlib.h>

/* The writer, and the reader for its POW10 table. */
#include "json/f32_format.c"
#include "json/f32_parse.c"

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

/* One value as the previous writer wrote it (its digits, the writer's own text form); 0 when it
 * needed the slow path (nothing written). */
static size_t old_write_one(float value, uint8_t *out, size_t at) {
  if (write_special(value, out, &at)) return at;
  const double x = value;
  double found = 0;
  int exponent = 0;
  if (!old_shortest_fast(value < 0 ? -value : value, x < 0 ? -x : x, &found, &exponent)) return 0;
  if (x < 0) out[at++] = '-';
  return write_decimal((uint32_t)found, exponent, out, at);
}

int main(int argc, char **argv) {
  const uint64_t first = argc > 2 ? strtoull(argv[1], NULL, 16) : 0;
  const uint64_t last = argc > 2 ? strtoull(argv[2], NULL, 16) : 0xffffffffu;
  uint64_t checked = 0, mismatches = 0, native = 0;
  /* The writer may write up to 26 bytes past a value's start (write_pointed) when there is room. */
  uint8_t a[64], b[32];
  for (uint64_t bits = first; bits <= last; bits++) {
    const uint32_t pattern = (uint32_t)bits;
    float value;
    memcpy(&value, &pattern, sizeof value);
    const size_t na = write_one(value, a, 0, 1);
    const size_t nb = old_write_one(value, b, 0);
    checked++;
    if (nb != 0) native++;
    if (na != nb || memcmp(a, b, na) != 0) {
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
  return mismatches == 0 ? 0 : 1;
}
