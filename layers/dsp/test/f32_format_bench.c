/*
 * Microbenchmark of the native float32 writer (src/json/f32_format.c): CPU ns per value written by
 * dspfn_f32_format in 64-value calls (one record's samples), for three kinds of input, median of
 * `runs` timings. Not part of npm test. The writer is compiled as its own unit, with the layer's
 * flags, as in the module. To compare two versions, build one binary per source tree and run them
 * alternately; the byte checksums must be equal.
 *
 *   gcc -std=c11 -O3 -march=x86-64 -mtune=generic -ffp-contract=off -fno-math-errno -Wall -Wextra \
 *       -Werror -Ilayers/dsp/src layers/dsp/test/f32_format_bench.c layers/dsp/src/json/f32_format.c \
 *       -o /tmp/f32_bench -lm && /tmp/f32_bench [runs]
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/f32_text.h"

#define VALUES (64 * 1024)
#define CHUNK 64
#define PASSES 20

/* xorshift64*: the same inputs in every binary. */
static uint64_t state = 0x9e3779b97f4a7c15u;
static uint64_t next_random(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545f4914f6cdd1du;
}
static double unit_random(void) { return (double)(next_random() >> 11) / 9007199254740992.0; }

/* typical: |x| log-uniform in 0.01 … 10 (RMS-like outputs); sine: 2·sin, as json-bench's signal;
 * full: any float32 bit pattern in the writer's fast range 1e-13 … 1e21, either sign. */
static void fill(const char *kind, float *values) {
  for (size_t i = 0; i < VALUES; i++) {
    if (kind[0] == 't') {
      values[i] = (float)(0.01 * pow(1000.0, unit_random()));
    } else if (kind[0] == 's') {
      values[i] = (float)(sin((double)i / 50) * 2 + 0.1 + cos((double)i * 0.37) * 0.01);
    } else {
      const uint32_t magnitude = 0x29e12e14u + (uint32_t)(next_random() % (0x64078678u - 0x29e12e14u + 1));
      const uint32_t bits = magnitude | (uint32_t)(next_random() & 1) << 31;
      memcpy(&values[i], &bits, sizeof bits);
    }
  }
}

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const int runs = argc > 1 ? atoi(argv[1]) : 7;
  static float values[VALUES];
  static uint8_t out[CHUNK * (DSPFN_F32_TEXT_MAX + 1) + 64];
  const char *kinds[] = {"typical", "sine", "full"};
  for (int kind = 0; kind < 3; kind++) {
    fill(kinds[kind], values);
    /* One untimed pass for the checksum (FNV-1a over the bytes: equal in both binaries when the text is). */
    uint64_t checksum = 0xcbf29ce484222325u, written = 0;
    for (size_t chunk = 0; chunk < VALUES; chunk += CHUNK) {
      size_t index = 0;
      const size_t end = dspfn_f32_format(values + chunk, CHUNK, &index, out, 0);
      written += index;
      for (size_t i = 0; i < end; i++) checksum = (checksum ^ out[i]) * 0x100000001b3u;
      checksum ^= index;
    }
    double times[64];
    size_t sink = 0;
    for (int run = 0; run < runs && run < 64; run++) {
      const double start = cpu_seconds();
      for (int pass = 0; pass < PASSES; pass++) {
        for (size_t chunk = 0; chunk < VALUES; chunk += CHUNK) {
          size_t index = 0;
          sink += dspfn_f32_format(values + chunk, CHUNK, &index, out, 0) + out[sink & 63];
        }
      }
      times[run] = cpu_seconds() - start;
    }
    if (sink == 42) printf("\n");
    const int n = runs < 64 ? runs : 64;
    qsort(times, (size_t)n, sizeof times[0], compare);
    printf("%-8s %6.2f ns/value (median of %d, min %.2f)  written %llu  checksum %016llx\n", kinds[kind],
           times[n / 2] * 1e9 / ((double)PASSES * VALUES), n, times[0] * 1e9 / ((double)PASSES * VALUES),
           (unsigned long long)written, (unsigned long long)checksum);
  }
  return 0;
}
