/*
 * CRC-32C, reflected polynomial 0x82F63B78 (kafka/crc32c.h). "Raw" below means the register without
 * the initial and final inversions: raw(s, A‖B) = raw(raw(s, A), B), and raw is linear, so
 * raw(s, B) = shift_|B|(s) ^ raw(0, B), where shift_n(s) is raw(s, n zero bytes). The hardware path
 * runs three streams over consecutive LANE-byte blocks (the CRC instruction's latency is three times
 * its issue interval) and joins them with shift_LANE, a linear map of 32 bits done with four tables.
 */
#include "kafka/crc32c.h"

#include <string.h>

#define POLY 0x82f63b78u
/* Bytes per stream per round: the rounds' joins cost a few table reads per 3 × LANE bytes. */
#define LANE 512

static uint32_t slice[8][256];
static uint32_t shift_lane[4][256];
static int use_hardware;

static int hardware(void);

static uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v; /* little-endian on both targets, as the instructions expect */
}

static uint32_t raw_portable(uint32_t c, const uint8_t *p, size_t n) {
  while (n >= 8) {
    const uint64_t v = load64(p) ^ c;
    c = slice[7][v & 0xff] ^ slice[6][(v >> 8) & 0xff] ^ slice[5][(v >> 16) & 0xff] ^ slice[4][(v >> 24) & 0xff] ^
        slice[3][(v >> 32) & 0xff] ^ slice[2][(v >> 40) & 0xff] ^ slice[1][(v >> 48) & 0xff] ^ slice[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = slice[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return c;
}

static uint32_t shift(uint32_t c) {
  return shift_lane[0][c & 0xff] ^ shift_lane[1][(c >> 8) & 0xff] ^ shift_lane[2][(c >> 16) & 0xff] ^ shift_lane[3][c >> 24];
}

/* When the library is loaded (the loader runs it once, before any thread can call in). */
__attribute__((constructor)) static void make_tables(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
    slice[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; b++) {
    for (int t = 1; t < 8; t++) slice[t][b] = slice[0][slice[t - 1][b] & 0xff] ^ (slice[t - 1][b] >> 8);
  }
  /* shift_LANE of each register bit, then of each byte value at each of the four positions. */
  static const uint8_t zeros[LANE];
  uint32_t bit[32];
  for (int j = 0; j < 32; j++) bit[j] = raw_portable(1u << j, zeros, LANE);
  for (int t = 0; t < 4; t++) {
    for (uint32_t b = 0; b < 256; b++) {
      uint32_t c = 0;
      for (int j = 0; j < 8; j++) {
        if (b & (1u << j)) c ^= bit[8 * t + j];
      }
      shift_lane[t][b] = c;
    }
  }
  use_hardware = hardware();
}

#if defined(__x86_64__)
#include <nmmintrin.h>
#define HARDWARE_TARGET __attribute__((target("sse4.2")))
#define CRC64(c, v) ((uint32_t)_mm_crc32_u64((c), (v)))
#define CRC8(c, v) _mm_crc32_u8((c), (v))
#define HAVE_HARDWARE 1
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#define HARDWARE_TARGET
#define CRC64(c, v) __crc32cd((c), (v))
#define CRC8(c, v) __crc32cb((c), (v))
#define HAVE_HARDWARE 1
#else
#define HAVE_HARDWARE 0
#endif

#if HAVE_HARDWARE
HARDWARE_TARGET static uint32_t raw_hardware(uint32_t c, const uint8_t *p, size_t n) {
  while (n >= 3 * LANE) {
    uint32_t c0 = c, c1 = 0, c2 = 0;
    for (size_t i = 0; i < LANE; i += 8) {
      c0 = CRC64(c0, load64(p + i));
      c1 = CRC64(c1, load64(p + LANE + i));
      c2 = CRC64(c2, load64(p + 2 * LANE + i));
    }
    c = shift(shift(c0) ^ c1) ^ c2;
    p += 3 * LANE;
    n -= 3 * LANE;
  }
  for (; n >= 8; p += 8, n -= 8) c = CRC64(c, load64(p));
  while (n--) c = CRC8(c, *p++);
  return c;
}
#endif

static int hardware(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
#else
  return HAVE_HARDWARE;
#endif
}

int dspfn_crc32c_hardware(void) {
  return hardware();
}

uint32_t dspfn_crc32c_portable(const uint8_t *data, size_t length) {
  return ~raw_portable(0xffffffffu, data, length);
}

uint32_t dspfn_crc32c(const uint8_t *data, size_t length) {
#if HAVE_HARDWARE
  if (use_hardware) return ~raw_hardware(0xffffffffu, data, length);
#endif
  return ~raw_portable(0xffffffffu, data, length);
}
