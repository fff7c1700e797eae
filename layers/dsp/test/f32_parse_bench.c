/*
 * Microbenchmark of the native JSON number reader (src/json/f32_parse.c, compiled apart as in the
 * module): CPU ns per value over 1,000 arrays of 64 samples, Math.sin(k / 9) * 2 + 0.1 as consume's
 * records carry them, written as the shortest double (JSON.stringify's digits, ~19 bytes) and as
 * the shortest float32 (dspfn's writer's, ~10 bytes); the best of 5 rounds. Not part of npm test:
 *
 *   F="-std=c11 -O3 -march=x86-64 -ffp-contract=off -fno-math-errno -Ilayers/dsp/src"
 *   gcc $F -c layers/dsp/src/json/f32_parse.c -o /tmp/f32_parse.o && \
 *   gcc $F layers/dsp/test/f32_parse_bench.c /tmp/f32_parse.o -o /tmp/f32_parse_bench -lm && /tmp/f32_parse_bench [reps]
 *
 * (USED=50 times 50 arrays only, which stay in L2; KIND=0 or 1 one of the two texts.)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <math.h>
#include <string.h>
#include "json/f32_text.h"

#define SAMPLES 64
#define RECORDS 1000

static double now(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static int shortest_double(char *out, double x) {
  for (int p = 1; p <= 17; p++) { int n = sprintf(out, "%.*g", p, x); if (strtod(out, NULL) == x) return n; }
  return sprintf(out, "%.17g", x);
}
static int shortest_float(char *out, float x) {
  for (int p = 1; p <= 9; p++) { int n = sprintf(out, "%.*g", p, (double)x); if ((float)strtod(out, NULL) == x) return n; }
  return sprintf(out, "%.9g", (double)x);
}

static uint8_t *texts[2][RECORDS];
static size_t closes[2][RECORDS];

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 200;
  const int used = getenv("USED") ? atoi(getenv("USED")) : RECORDS;
  for (int kind = 0; kind < 2; kind++) {
    for (int r = 0; r < RECORDS; r++) {
      char *buf = malloc(SAMPLES * 32 + 8); size_t n = 0; buf[n++] = '[';
      for (int s = 0; s < SAMPLES; s++) {
        double k = (double)(r * SAMPLES + s);
        double x = sin(k / 9) * 2 + 0.1;
        if (s) buf[n++] = ',';
        n += kind == 0 ? shortest_double(buf + n, x) : shortest_float(buf + n, (float)x);
      }
      buf[n++] = ']'; buf[n++] = '}'; buf[n] = 0;
      texts[kind][r] = (uint8_t *)buf; closes[kind][r] = n - 2;
    }
  }
  static float out[SAMPLES];
  double best[2] = {1e9, 1e9}; double sink = 0;
  for (int round = 0; round < 5; round++) {
    for (int kind = 0; kind < 2; kind++) {
      if (getenv("KIND") && atoi(getenv("KIND")) != kind) continue;
      double t0 = now();
      for (int rep = 0; rep < reps; rep++)
        for (int r = 0; r < used; r++) {
          int64_t got = dspfn_f32_parse(texts[kind][r], 1, closes[kind][r], out, SAMPLES);
          if (got != SAMPLES) { fprintf(stderr, "kind %d record %d: %lld\n", kind, r, (long long)got); return 1; }
          sink += out[r & 63];
        }
      double ns = (now() - t0) * 1e9 / ((double)reps * used * SAMPLES);
      if (ns < best[kind]) best[kind] = ns;
    }
  }
  printf("17-digit doubles %.2f ns/value (%.1f M/s)   shortest float32 %.2f ns/value (%.1f M/s)   [%g]\n",
         best[0], 1e3 / best[0], best[1], 1e3 / best[1], sink > 0 ? 0.0 : 1.0);
  return 0;
}
