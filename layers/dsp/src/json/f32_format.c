/*
 * float32 -> shortest JSON number text (see f32_text.h): core/codecs/float32-format.ts's digits
 * another way, in integers (below), proven byte-identical over every float32 by
 * layers/dsp/test/f32_exhaustive.c. Property tests compare it with the TypeScript code.
 */
#include "json/f32_text.h"

#include <math.h>
#include <string.h>

static const uint8_t PAIRS[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* ---------------------------------------------------------------------------------------------
 * float32 -> shortest text
 * ------------------------------------------------------------------------------------------- */

/*
 * The digits come from Ryū's float32 algorithm (Ulf Adams, "Ryū: fast float-to-string conversion",
 * PLDI 2018) in integer arithmetic: the value and the two ends of its rounding interval, scaled by a
 * power of ten, via one 64-bit multiply each by a table entry, then digits removed while the ends
 * still differ. It gives the shortest decimal in the interval and, of those, the nearest (ties
 * up), which is what the TypeScript writer's round-trip search finds, because its candidates convert
 * to the correctly rounded double and its nearest candidate comes first. layers/dsp/test/f32_exhaustive.c
 * checks the two agree on all 2^32 floats (that search is kept there as the reference).
 */

/* ⌊2^(bits(5^q) − 1 + 59) / 5^q⌋ + 1 and ⌊5^i / 2^(bits(5^i) − 61)⌋, bits(n) the bit length of n. */
#define POW5_INV_BITS 59
#define POW5_BITS 61
static const uint64_t POW5_INV[31] = {
  0x0800000000000001u, 0x0666666666666667u, 0x051eb851eb851eb9u, 0x04189374bc6a7efau,
  0x068db8bac710cb2au, 0x053e2d6238da3c22u, 0x0431bde82d7b634eu, 0x06b5fca6af2bd216u,
  0x055e63b88c230e78u, 0x044b82fa09b5a52du, 0x06df37f675ef6eaeu, 0x057f5ff85e592558u,
  0x0465e6604b7a8447u, 0x0709709a125da071u, 0x05a126e1a84ae6c1u, 0x0480ebe7b9d58567u,
  0x0734aca5f6226f0bu, 0x05c3bd5191b525a3u, 0x049c97747490eae9u, 0x0760f253edb4ab0eu,
  0x05e72843249088d8u, 0x04b8ed0283a6d3e0u, 0x078e480405d7b966u, 0x060b6cd004ac9452u,
  0x04d5f0a66a23a9dbu, 0x07bcb43d769f762bu, 0x063090312bb2c4efu, 0x04f3a68dbc8f03f3u,
  0x07ec3daf94180651u, 0x065697bfa9acd1dau, 0x051212ffbaf0a7e2u,
};
static const uint64_t POW5[47] = {
  0x1000000000000000u, 0x1400000000000000u, 0x1900000000000000u, 0x1f40000000000000u,
  0x1388000000000000u, 0x186a000000000000u, 0x1e84800000000000u, 0x1312d00000000000u,
  0x17d7840000000000u, 0x1dcd650000000000u, 0x12a05f2000000000u, 0x174876e800000000u,
  0x1d1a94a200000000u, 0x12309ce540000000u, 0x16bcc41e90000000u, 0x1c6bf52634000000u,
  0x11c37937e0800000u, 0x16345785d8a00000u, 0x1bc16d674ec80000u, 0x1158e460913d0000u,
  0x15af1d78b58c4000u, 0x1b1ae4d6e2ef5000u, 0x10f0cf064dd59200u, 0x152d02c7e14af680u,
  0x1a784379d99db420u, 0x108b2a2c28029094u, 0x14adf4b7320334b9u, 0x19d971e4fe8401e7u,
  0x1027e72f1f128130u, 0x1431e0fae6d7217cu, 0x193e5939a08ce9dbu, 0x1f8def8808b02452u,
  0x13b8b5b5056e16b3u, 0x18a6e32246c99c60u, 0x1ed09bead87c0378u, 0x13426172c74d822bu,
  0x1812f9cf7920e2b6u, 0x1e17b84357691b64u, 0x12ced32a16a1b11eu, 0x178287f49c4a1d66u,
  0x1d6329f1c35ca4bfu, 0x125dfa371a19e6f7u, 0x16f578c4e0a060b5u, 0x1cb2d6f618c878e3u,
  0x11efc659cf7d4b8du, 0x166bb7f0435c9e71u, 0x1c06a5ec5433c60du,
};

/* ⌈e · log2 5⌉ (1 for 0), ⌊e · log10 2⌋, ⌊e · log10 5⌋: fixed-point, exact over float32's range. */
static int32_t pow5_bits(int32_t e) { return e == 0 ? 1 : (int32_t)(((uint32_t)e * 23219280u + 9999999u) / 10000000u); }
static int32_t log10_pow2(int32_t e) { return (int32_t)(((uint32_t)e * 3010299u) / 10000000u); }
static int32_t log10_pow5(int32_t e) { return (int32_t)(((uint32_t)e * 6989700u) / 10000000u); }

/* ⌊m · factor / 2^shift⌋ for m < 2^32 and shift ≥ 32, in 64-bit halves (no 128-bit type needed). */
static uint32_t mul_shift(uint32_t m, uint64_t factor, int32_t shift) {
  const uint64_t low = (uint64_t)m * (factor & 0xffffffffu);
  const uint64_t high = (uint64_t)m * (factor >> 32);
  return (uint32_t)(((low >> 32) + high) >> (shift - 32));
}

static int multiple_of_pow5(uint32_t value, int32_t p) {
  int32_t count = 0;
  while (value % 5 == 0) {
    value /= 5;
    count++;
  }
  return count >= p;
}

/* The shortest, nearest digits of a positive finite float32 given by its bits, and their exponent. */
static void shortest_digits(uint32_t bits, uint32_t *out_digits, int *out_exponent) {
  const uint32_t fraction = bits & 0x7fffffu;
  const uint32_t biased = bits >> 23;
  /* Two spare bits, so the interval ends are integers too: value = mv · 2^e2. */
  const int32_t e2 = (biased == 0 ? 1 : (int32_t)biased) - 127 - 23 - 2;
  const uint32_t m2 = biased == 0 ? fraction : fraction | 0x800000u;
  const int accept_ends = (m2 & 1) == 0; /* an exact tie reads back to the even neighbour */
  const uint32_t mv = 4 * m2;
  const uint32_t mp = mv + 2;
  /* Below a power of two the next float down is half as far. */
  const uint32_t mm = mv - (fraction != 0 || biased <= 1 ? 2 : 1);

  uint32_t vr, vp, vm;
  int32_t e10;
  int vm_exact = 0, vr_exact = 0; /* whether vm / vr dropped only zeros scaling down */
  uint32_t last_removed = 0;
  if (e2 >= 0) {
    const int32_t q = log10_pow2(e2);
    const int32_t shift = -e2 + q + POW5_INV_BITS + pow5_bits(q) - 1;
    e10 = q;
    vr = mul_shift(mv, POW5_INV[q], shift);
    vp = mul_shift(mp, POW5_INV[q], shift);
    vm = mul_shift(mm, POW5_INV[q], shift);
    if (q != 0 && (vp - 1) / 10 <= vm / 10) {
      /* The loop below will not run, but the digit under vr decides its rounding. */
      const int32_t s1 = -e2 + q - 1 + POW5_INV_BITS + pow5_bits(q - 1) - 1;
      last_removed = mul_shift(mv, POW5_INV[q - 1], s1) % 10;
    }
    if (q <= 9) {
      if (mv % 5 == 0) vr_exact = multiple_of_pow5(mv, q);
      else if (accept_ends) vm_exact = multiple_of_pow5(mm, q);
      else vp -= (uint32_t)multiple_of_pow5(mp, q);
    }
  } else {
    const int32_t q = log10_pow5(-e2);
    const int32_t i = -e2 - q;
    e10 = q + e2;
    const int32_t shift = q - (pow5_bits(i) - POW5_BITS);
    vr = mul_shift(mv, POW5[i], shift);
    vp = mul_shift(mp, POW5[i], shift);
    vm = mul_shift(mm, POW5[i], shift);
    if (q != 0 && (vp - 1) / 10 <= vm / 10) {
      const int32_t s1 = q - 1 - (pow5_bits(i + 1) - POW5_BITS);
      last_removed = mul_shift(mv, POW5[i + 1], s1) % 10;
    }
    if (q <= 1) {
      /* mv = 4 · m2 has at least two trailing zero bits, so vr is exact. */
      vr_exact = 1;
      if (accept_ends) vm_exact = mm % 2 == 0 || q == 0;
      else vp--;
    } else if (q < 31) {
      vr_exact = (mv & ((1u << (q - 1)) - 1)) == 0;
    }
  }

  int32_t removed = 0;
  uint32_t digits;
  if (vm_exact || vr_exact) {
    /* Rare: an end or the value itself is exact at this scale, so zeros matter. */
    while (vp / 10 > vm / 10) {
      vm_exact &= vm % 10 == 0;
      vr_exact &= last_removed == 0;
      last_removed = vr % 10;
      vr /= 10;
      vp /= 10;
      vm /= 10;
      removed++;
    }
    if (vm_exact) {
      while (vm % 10 == 0) {
        vr_exact &= last_removed == 0;
        last_removed = vr % 10;
        vr /= 10;
        vp /= 10;
        vm /= 10;
        removed++;
      }
    }
    digits = vr + ((vr == vm && (!accept_ends || !vm_exact)) || last_removed >= 5);
  } else {
    while (vp / 10 > vm / 10) {
      last_removed = vr % 10;
      vr /= 10;
      vp /= 10;
      vm /= 10;
      removed++;
    }
    digits = vr + (vr == vm || last_removed >= 5);
  }
  *out_digits = digits;
  *out_exponent = e10 + removed;
}

/*
 * float32-format.ts: shortestFast's range, decimalExponent(x) within -13 … 21, is exactly the
 * magnitudes 1.00000005e-13 … 9.99999978e21 (0x29e12e14 … 0x64078678 as bits; the exhaustive
 * check confirms it), so one integer compare picks what the TypeScript code writes itself.
 */
#define FAST_MIN_BITS 0x29e12e14u
#define FAST_MAX_BITS 0x64078678u

static int shortest_fast(float value, uint32_t *found_digits, int *found_exponent) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  if (bits - FAST_MIN_BITS > FAST_MAX_BITS - FAST_MIN_BITS) return 0;
  shortest_digits(bits, found_digits, found_exponent);
  return 1;
}

/* Zero (with its sign) or a non-finite value (JSON has none: null) written at *at; 0 for any other value. */
static int write_special(float value, uint8_t *out, size_t *at) {
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

/* The positive number found·10^exponent as writeFloat32Of writes it (JavaScript's Number text). */
static size_t write_decimal(uint32_t found, int exponent, uint8_t *out, size_t at) {
  /* At most 9 digits (10 before the zeros go): 32-bit arithmetic, two digits at a time. */
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

/*
 * write_decimal for the common layouts, 0.000ddd … and ddd.ddd (a point within or before the digits):
 * the same bytes, written by fixed-size copies instead of loops whose lengths vary from value to
 * value. It writes up to 25 bytes from `at` (the caller has room for them), and answers 0 for any
 * other layout (integers, exponents), which write_decimal then writes.
 */
static size_t write_pointed(uint32_t found, int exponent, uint8_t *out, size_t at) {
  uint32_t digits = found;
  while (digits % 10 == 0) {
    digits /= 10;
    exponent++;
  }
  /* At most 9 digits once the zeros are gone: k of them, and the point n places after the first. */
  const int k = 1 + (digits >= 10u) + (digits >= 100u) + (digits >= 1000u) + (digits >= 10000u) + (digits >= 100000u) +
                (digits >= 1000000u) + (digits >= 10000000u) + (digits >= 100000000u);
  const int n = k + exponent;
  if (n <= -6 || n >= k) return 0;
  /* The 9 digits (zero-padded) end at text[25], after '0's, so that text + 25 - k - zeros is the
   * value's digits with `zeros` leading zeros before them. */
  uint8_t text[48];
  memset(text, '0', 16);
  const uint32_t low = digits % 100000000u;
  const uint32_t high4 = low / 10000u, low4 = low % 10000u;
  text[16] = (uint8_t)('0' + digits / 100000000u);
  memcpy(text + 17, PAIRS + 2 * (high4 / 100u), 2);
  memcpy(text + 19, PAIRS + 2 * (high4 % 100u), 2);
  memcpy(text + 21, PAIRS + 2 * (low4 / 100u), 2);
  memcpy(text + 23, PAIRS + 2 * (low4 % 100u), 2);
  memset(text + 25, '0', sizeof text - 25);
  /* 0.000ddd is the digits after 1 - n zeros with the point after the first: one form for both. */
  const int whole = n > 0 ? n : 1;
  const uint8_t *from = text + 25 - k - (whole - n);
  const int length = k + (whole - n);
  memcpy(out + at, from, 16);
  out[at + (size_t)whole] = '.';
  memcpy(out + at + (size_t)whole + 1, from + whole, 16);
  return at + (size_t)length + 1;
}

/* One value as writeFloat32Of writes it; 0 when it needs the slow path (nothing written). `room`:
 * whether 25 bytes from `at` may be written (write_pointed). */
static size_t write_one(float value, uint8_t *out, size_t at, int room) {
  if (write_special(value, out, &at)) return at;
  uint32_t found = 0;
  int exponent = 0;
  if (!shortest_fast(value < 0 ? -value : value, &found, &exponent)) return 0;
  if (value < 0) out[at++] = '-';
  if (room) {
    const size_t end = write_pointed(found, exponent, out, at);
    if (end != 0) return end;
  }
  return write_decimal(found, exponent, out, at);
}

size_t dspfn_f32_format(const float *values, size_t count, size_t *index, uint8_t *out, size_t at) {
  size_t i = *index;
  for (; i < count; i++) {
    const size_t start = at;
    if (i > 0) out[at++] = ',';
    /* The caller reserved DSPFN_F32_TEXT_MAX + 1 bytes for each value left: with two or more left,
     * this one may write 25 bytes after its comma and sign (write_pointed). */
    const size_t end = write_one(values[i], out, at, count - i >= 2);
    if (end == 0) {
      at = start;
      break;
    }
    at = end;
  }
  *index = i;
  return at;
}
