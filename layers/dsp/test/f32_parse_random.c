/*
 * Randomised check of the native JSON number reader (src/json/f32_parse.c) against glibc's strtod,
 * which rounds correctly: every sample must be (float)strtod(text), Math.fround(JSON.parse(text))
 * exactly (double rounding included, -0 kept), or the array handed back (-1) to the TypeScript
 * reader. Decimal texts of many kinds, in arrays of 1 … 8 (64 for the common kinds): random doubles
 * printed with 17 digits, shortest doubles near the samples' range, shortest float32 text, 19 … 25
 * digit mantissas, float32 and double rounding ties and the decimals just beside them, subnormals,
 * values near FLT_MAX and exponents far out. Prints, per kind, the texts checked, the mismatches
 * (must be 0) and the texts handed back (those out of float32 range must be), then a hash of
 * all the results, to compare between CPUs (the texts depend only on the seed). Not part of npm
 * test (minutes of CPU); run it after any change to the reader, and the arm64 build under qemu:
 *
 *   gcc -std=c11 -O2 -ffp-contract=off -Wall -Wextra -Werror -Ilayers/dsp/src \
 *       layers/dsp/test/f32_parse_random.c -o /tmp/f32_parse_random -lm && /tmp/f32_parse_random [millions [seed]]
 *   aarch64-linux-gnu-gcc -mcpu=neoverse-n1 (the same flags) -o /tmp/f32_parse_random_arm64 && \
 *       QEMU_LD_PREFIX=/usr/aarch64-linux-gnu qemu-aarch64 /tmp/f32_parse_random_arm64 3
 *
 * (millions: texts to check, 100 by default; seed: the generator's, 1 by default. Also with
 * -U__SIZEOF_INT128__ for the portable 64x64->128 multiply.)
 */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#include "json/f32_parse.c"

static uint64_t state;
static uint64_t next(void) { /* splitmix64 */
  uint64_t z = (state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}
static double unit(void) { return (double)(next() >> 11) / 9007199254740992.0; }
static int below(int n) { return (int)(next() % (uint64_t)n); }

static double bits_double(uint64_t b) {
  double d;
  memcpy(&d, &b, sizeof d);
  return d;
}
static uint32_t float_bits(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}
static float bits_float(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

/* The shortest %.Ng text that reads back as x (double), as JavaScript writes numbers (digits-wise). */
static int shortest_double(char *out, double x) {
  for (int p = 1; p < 17; p++) {
    const int n = sprintf(out, "%.*g", p, x);
    if (strtod(out, NULL) == x) return n;
  }
  return sprintf(out, "%.17g", x);
}
static int shortest_float(char *out, float x) {
  for (int p = 1; p < 9; p++) {
    const int n = sprintf(out, "%.*g", p, (double)x);
    if ((float)strtod(out, NULL) == x) return n;
  }
  return sprintf(out, "%.9g", (double)x);
}

/* A random float32 (finite, positive) of any exponent, subnormals included. */
static float any_float(void) {
  for (;;) {
    const float f = bits_float((uint32_t)next() & 0x7FFFFFFFu);
    if (isfinite(f)) return f;
  }
}

/* Writes `digits` random digits with a '.' after `point` of them (none if point >= digits) and a
 * random exponent, e.g. 1234567890123456789012.5e-7. */
static int long_mantissa(char *out, int digits) {
  int n = 0;
  const int point = below(digits + 1);
  for (int k = 0; k < digits; k++) {
    if (k == point && k > 0) out[n++] = '.';
    out[n++] = (char)('0' + (k == 0 ? 1 + below(9) : below(10)));
  }
  if (point == 0) { /* 0.ddd */
    memmove(out + 2, out, (size_t)n);
    out[0] = '0';
    out[1] = '.';
    n += 2;
  }
  return n + sprintf(out + n, "e%d", below(100) - 60);
}

/* Strips trailing zeros of a fixed/exponent-free decimal text in place ("1.2500" -> "1.25"). */
static int trim(char *out, int n) {
  if (!strchr(out, '.') || strchr(out, 'e')) return n;
  while (n > 1 && out[n - 1] == '0') n--;
  if (out[n - 1] == '.') n--;
  out[n] = 0;
  return n;
}

enum { DOUBLE17, SAMPLE, FLOAT_SHORT, LONG_MANTISSA, FLOAT_TIE, DOUBLE_TIE, SUBNORMAL, NEAR_MAX, FAR_EXPONENT, KINDS };
static const char *const NAMES[KINDS] = {
    "random doubles, %.17g",       "shortest doubles in -3 … 3",       "shortest float32 text",
    "19 … 25 digit mantissas",     "float32 ties and beside them",     "double ties and beside them",
    "float32 subnormals",          "near FLT_MAX",                     "exponents far out",
};

/* One text of the kind into out (NUL-terminated); returns its length. */
static int text(int kind, char *out) {
  switch (kind) {
    case DOUBLE17: {
      double d;
      do d = bits_double(next()); while (!isfinite(d));
      return sprintf(out, "%.17g", d);
    }
    case SAMPLE: {
      const double x = unit() * 6 - 3;
      return shortest_double(out, below(16) ? x : x * 1e-3);
    }
    case FLOAT_SHORT: {
      const float f = any_float();
      return shortest_float(out, below(2) ? -f : f);
    }
    case LONG_MANTISSA: return long_mantissa(out, 19 + below(7));
    case FLOAT_TIE: {
      /* Exactly halfway between two float32 (a double, its exact decimal), or a double or a last
       * printed digit beside it. */
      const float f = any_float();
      if (f == FLT_MAX) return sprintf(out, "1");
      const double mid = ((double)f + (double)nextafterf(f, INFINITY)) / 2;
      const double x = below(2) ? mid : nextafter(mid, below(2) ? 0 : INFINITY);
      const int n = sprintf(out, "%.*e", below(3) ? 60 : 15 + below(10), x);
      return n;
    }
    case DOUBLE_TIE: {
      /* Halfway between two doubles, printed with 17 … 30 digits, so the decimal is at, or within a
       * last digit of, a double rounding tie; near float32 ties half of the time. */
      double d = below(2) ? (double)any_float() : bits_double((next() & 0x3FFFFFFFFFFFFFFFu) | 0x3000000000000000u);
      if (below(2)) d = ((double)(float)d + (double)nextafterf((float)d, INFINITY)) / 2;
      const long double mid = ((long double)d + (long double)nextafter(d, INFINITY)) / 2;
      return sprintf(out, "%.*Le", 16 + below(14), mid);
    }
    case SUBNORMAL: {
      const float f = bits_float((uint32_t)(next() % 0x00800000u));
      if (below(2)) return shortest_float(out, f);
      const double x = (double)f * (1 + (unit() - 0.5) * 1e-6);
      return sprintf(out, "%.*e", below(25), x);
    }
    case NEAR_MAX: {
      const double x = (double)FLT_MAX * (1 + (unit() - 0.5) * 1e-7);
      return sprintf(out, "%.*e", below(22), x);
    }
    default: { /* FAR_EXPONENT */
      const double x = unit() * 10;
      const int n = trim(out, sprintf(out, "%.*f", below(5), x));
      return n + sprintf(out + n, "e%d", below(900) - 450);
    }
  }
}

int main(int argc, char **argv) {
  const double millions = argc > 1 ? atof(argv[1]) : 100;
  state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
  const uint64_t total = (uint64_t)(millions * 1e6);
  uint64_t checked[KINDS] = {0}, mismatches[KINDS] = {0}, handed_back[KINDS] = {0}, finite_back[KINDS] = {0};
  static char texts[64][128];
  static uint8_t buffer[64 * 130 + 64];
  float out[64], single[1];
  uint64_t done = 0;
  uint64_t hash = 0xCBF29CE484222325u; /* FNV-1a of every result (float bits, or ~0 handed back): equal across CPUs */
  while (done < total) {
    const int kind = below(KINDS);
    const int count = kind == SAMPLE || kind == FLOAT_SHORT || kind == DOUBLE17 ? 64 : 1 + below(8);
    size_t n = 0;
    buffer[n++] = '[';
    for (int k = 0; k < count; k++) {
      const int length = text(kind, texts[k]);
      if (k > 0) buffer[n++] = ',';
      if (below(16) == 0) buffer[n++] = ' ';
      memcpy(buffer + n, texts[k], (size_t)length);
      n += (size_t)length;
    }
    buffer[n] = ']';
    const size_t close = n;
    buffer[n + 1] = '}';
    const int64_t read = dspfn_f32_parse(buffer, 1, close, out, 64);
    for (int k = 0; k < count; k++) {
      const float expected = (float)strtod(texts[k], NULL);
      float got;
      int have = read == count;
      if (have) got = out[k];
      else {
        /* The array was handed back: which of its numbers, alone, is handed back too. */
        const size_t length = strlen(texts[k]);
        uint8_t one[160];
        one[0] = '[';
        memcpy(one + 1, texts[k], length);
        one[length + 1] = ']';
        have = dspfn_f32_parse(one, 1, length + 1, single, 1) == 1;
        got = single[0];
        if (!have) handed_back[kind]++;
      }
      hash = (hash ^ (have ? float_bits(got) : 0xFFFFFFFFu)) * 0x100000001B3u;
      if (have && float_bits(got) != float_bits(expected)) {
        if (mismatches[kind]++ < 10) printf("MISMATCH %s: %s -> %.9g, strtod %.9g\n", NAMES[kind], texts[k], (double)got, (double)expected);
      }
      if (!have && isfinite(expected) && finite_back[kind]++ < 3 && (kind == SAMPLE || kind == FLOAT_SHORT)) {
        printf("handed back: %s\n", texts[k]);
      }
      checked[kind]++;
    }
    if (read >= 0 && read != count) {
      printf("count %lld for %d numbers: %.*s\n", (long long)read, count, (int)(close + 1), (const char *)buffer);
      mismatches[kind]++;
    }
    done += (uint64_t)count;
  }
  uint64_t all = 0;
  for (int k = 0; k < KINDS; k++) {
    printf("%-32s %11llu texts %3llu mismatches %9llu handed back (%llu of them finite float32)\n", NAMES[k],
           (unsigned long long)checked[k], (unsigned long long)mismatches[k], (unsigned long long)handed_back[k],
           (unsigned long long)finite_back[k]);
    all += mismatches[k];
  }
  printf("%llu texts, %llu mismatches, results hash %016llx\n", (unsigned long long)done, (unsigned long long)all, (unsigned long long)hash);
  return all != 0;
}
