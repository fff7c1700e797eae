/*
 * JSON number array -> float32 (see f32_text.h). Line by line the algorithm of
 * core/codecs/json-samples.ts, whose comments explain it: the same double operations in the same
 * order (the build's -ffp-contract=off keeps them unfused), so the floats are the TypeScript code's
 * on every CPU. Property tests compare it with the TypeScript code, and test/f32_parse_random.c
 * with (float)strtod over 10^8 texts.
 *
 * Where the approximate path cannot call the float32 (the decimal within 2^-48 of a float32
 * rounding tie), the TypeScript code takes its exact slow path (Number(text)); here the
 * correctly rounded double comes from the Eisel–Lemire algorithm instead, in integer arithmetic
 * (so the same double on every CPU), and (float) of it is Math.fround's one IEEE rounding: such
 * texts are no longer handed back.
 */
#include "json/f32_text.h"

#include <math.h>
#include <string.h>

/* 10^0 … 10^22, exactly representable doubles (f32_exhaustive.c uses them too). */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* ---------------------------------------------------------------------------------------------
 * w·10^q -> the correctly rounded double (Eisel–Lemire, as fast_float does it: D. Lemire, "Number
 * parsing at a gigabyte per second", 2021; N. Mushtak, D. Lemire, "Fast number parsing without
 * fallback", 2023, on why the 128-bit product is always enough)
 * ------------------------------------------------------------------------------------------- */

/*
 * 5^q for q = POW5_MIN … POW5_MAX, normalised to 128 bits (top bit set), fast_float's table rows
 * (its script/table_generation.py): truncated for q >= 0, 1 above the truncation for q < 0. Only
 * the rows the reader needs: w < 10^19 (+1), and w·10^q outside 10^-47 … 10^40 is zero or an error.
 */
#define POW5_MIN (-66)
#define POW5_MAX 39
static const uint64_t FIVE_128[POW5_MAX - POW5_MIN + 1][2] = {
    {0xd7adf884aa879177u, 0x5b0ed81dcc6abb0fu}, /* 5^-66 */
    {0x86ccbb52ea94baeau, 0x98e947129fc2b4e9u}, /* 5^-65 */
    {0xa87fea27a539e9a5u, 0x3f2398d747b36224u}, /* 5^-64 */
    {0xd29fe4b18e88640eu, 0x8eec7f0d19a03aadu}, /* 5^-63 */
    {0x83a3eeeef9153e89u, 0x1953cf68300424acu}, /* 5^-62 */
    {0xa48ceaaab75a8e2bu, 0x5fa8c3423c052dd7u}, /* 5^-61 */
    {0xcdb02555653131b6u, 0x3792f412cb06794du}, /* 5^-60 */
    {0x808e17555f3ebf11u, 0xe2bbd88bbee40bd0u}, /* 5^-59 */
    {0xa0b19d2ab70e6ed6u, 0x5b6aceaeae9d0ec4u}, /* 5^-58 */
    {0xc8de047564d20a8bu, 0xf245825a5a445275u}, /* 5^-57 */
    {0xfb158592be068d2eu, 0xeed6e2f0f0d56712u}, /* 5^-56 */
    {0x9ced737bb6c4183du, 0x55464dd69685606bu}, /* 5^-55 */
    {0xc428d05aa4751e4cu, 0xaa97e14c3c26b886u}, /* 5^-54 */
    {0xf53304714d9265dfu, 0xd53dd99f4b3066a8u}, /* 5^-53 */
    {0x993fe2c6d07b7fabu, 0xe546a8038efe4029u}, /* 5^-52 */
    {0xbf8fdb78849a5f96u, 0xde98520472bdd033u}, /* 5^-51 */
    {0xef73d256a5c0f77cu, 0x963e66858f6d4440u}, /* 5^-50 */
    {0x95a8637627989aadu, 0xdde7001379a44aa8u}, /* 5^-49 */
    {0xbb127c53b17ec159u, 0x5560c018580d5d52u}, /* 5^-48 */
    {0xe9d71b689dde71afu, 0xaab8f01e6e10b4a6u}, /* 5^-47 */
    {0x9226712162ab070du, 0xcab3961304ca70e8u}, /* 5^-46 */
    {0xb6b00d69bb55c8d1u, 0x3d607b97c5fd0d22u}, /* 5^-45 */
    {0xe45c10c42a2b3b05u, 0x8cb89a7db77c506au}, /* 5^-44 */
    {0x8eb98a7a9a5b04e3u, 0x77f3608e92adb242u}, /* 5^-43 */
    {0xb267ed1940f1c61cu, 0x55f038b237591ed3u}, /* 5^-42 */
    {0xdf01e85f912e37a3u, 0x6b6c46dec52f6688u}, /* 5^-41 */
    {0x8b61313bbabce2c6u, 0x2323ac4b3b3da015u}, /* 5^-40 */
    {0xae397d8aa96c1b77u, 0xabec975e0a0d081au}, /* 5^-39 */
    {0xd9c7dced53c72255u, 0x96e7bd358c904a21u}, /* 5^-38 */
    {0x881cea14545c7575u, 0x7e50d64177da2e54u}, /* 5^-37 */
    {0xaa242499697392d2u, 0xdde50bd1d5d0b9e9u}, /* 5^-36 */
    {0xd4ad2dbfc3d07787u, 0x955e4ec64b44e864u}, /* 5^-35 */
    {0x84ec3c97da624ab4u, 0xbd5af13bef0b113eu}, /* 5^-34 */
    {0xa6274bbdd0fadd61u, 0xecb1ad8aeacdd58eu}, /* 5^-33 */
    {0xcfb11ead453994bau, 0x67de18eda5814af2u}, /* 5^-32 */
    {0x81ceb32c4b43fcf4u, 0x80eacf948770ced7u}, /* 5^-31 */
    {0xa2425ff75e14fc31u, 0xa1258379a94d028du}, /* 5^-30 */
    {0xcad2f7f5359a3b3eu, 0x096ee45813a04330u}, /* 5^-29 */
    {0xfd87b5f28300ca0du, 0x8bca9d6e188853fcu}, /* 5^-28 */
    {0x9e74d1b791e07e48u, 0x775ea264cf55347eu}, /* 5^-27 */
    {0xc612062576589ddau, 0x95364afe032a819eu}, /* 5^-26 */
    {0xf79687aed3eec551u, 0x3a83ddbd83f52205u}, /* 5^-25 */
    {0x9abe14cd44753b52u, 0xc4926a9672793543u}, /* 5^-24 */
    {0xc16d9a0095928a27u, 0x75b7053c0f178294u}, /* 5^-23 */
    {0xf1c90080baf72cb1u, 0x5324c68b12dd6339u}, /* 5^-22 */
    {0x971da05074da7beeu, 0xd3f6fc16ebca5e04u}, /* 5^-21 */
    {0xbce5086492111aeau, 0x88f4bb1ca6bcf585u}, /* 5^-20 */
    {0xec1e4a7db69561a5u, 0x2b31e9e3d06c32e6u}, /* 5^-19 */
    {0x9392ee8e921d5d07u, 0x3aff322e62439fd0u}, /* 5^-18 */
    {0xb877aa3236a4b449u, 0x09befeb9fad487c3u}, /* 5^-17 */
    {0xe69594bec44de15bu, 0x4c2ebe687989a9b4u}, /* 5^-16 */
    {0x901d7cf73ab0acd9u, 0x0f9d37014bf60a11u}, /* 5^-15 */
    {0xb424dc35095cd80fu, 0x538484c19ef38c95u}, /* 5^-14 */
    {0xe12e13424bb40e13u, 0x2865a5f206b06fbau}, /* 5^-13 */
    {0x8cbccc096f5088cbu, 0xf93f87b7442e45d4u}, /* 5^-12 */
    {0xafebff0bcb24aafeu, 0xf78f69a51539d749u}, /* 5^-11 */
    {0xdbe6fecebdedd5beu, 0xb573440e5a884d1cu}, /* 5^-10 */
    {0x89705f4136b4a597u, 0x31680a88f8953031u}, /* 5^-9 */
    {0xabcc77118461cefcu, 0xfdc20d2b36ba7c3eu}, /* 5^-8 */
    {0xd6bf94d5e57a42bcu, 0x3d32907604691b4du}, /* 5^-7 */
    {0x8637bd05af6c69b5u, 0xa63f9a49c2c1b110u}, /* 5^-6 */
    {0xa7c5ac471b478423u, 0x0fcf80dc33721d54u}, /* 5^-5 */
    {0xd1b71758e219652bu, 0xd3c36113404ea4a9u}, /* 5^-4 */
    {0x83126e978d4fdf3bu, 0x645a1cac083126eau}, /* 5^-3 */
    {0xa3d70a3d70a3d70au, 0x3d70a3d70a3d70a4u}, /* 5^-2 */
    {0xccccccccccccccccu, 0xcccccccccccccccdu}, /* 5^-1 */
    {0x8000000000000000u, 0x0000000000000000u}, /* 5^0 */
    {0xa000000000000000u, 0x0000000000000000u}, /* 5^1 */
    {0xc800000000000000u, 0x0000000000000000u}, /* 5^2 */
    {0xfa00000000000000u, 0x0000000000000000u}, /* 5^3 */
    {0x9c40000000000000u, 0x0000000000000000u}, /* 5^4 */
    {0xc350000000000000u, 0x0000000000000000u}, /* 5^5 */
    {0xf424000000000000u, 0x0000000000000000u}, /* 5^6 */
    {0x9896800000000000u, 0x0000000000000000u}, /* 5^7 */
    {0xbebc200000000000u, 0x0000000000000000u}, /* 5^8 */
    {0xee6b280000000000u, 0x0000000000000000u}, /* 5^9 */
    {0x9502f90000000000u, 0x0000000000000000u}, /* 5^10 */
    {0xba43b74000000000u, 0x0000000000000000u}, /* 5^11 */
    {0xe8d4a51000000000u, 0x0000000000000000u}, /* 5^12 */
    {0x9184e72a00000000u, 0x0000000000000000u}, /* 5^13 */
    {0xb5e620f480000000u, 0x0000000000000000u}, /* 5^14 */
    {0xe35fa931a0000000u, 0x0000000000000000u}, /* 5^15 */
    {0x8e1bc9bf04000000u, 0x0000000000000000u}, /* 5^16 */
    {0xb1a2bc2ec5000000u, 0x0000000000000000u}, /* 5^17 */
    {0xde0b6b3a76400000u, 0x0000000000000000u}, /* 5^18 */
    {0x8ac7230489e80000u, 0x0000000000000000u}, /* 5^19 */
    {0xad78ebc5ac620000u, 0x0000000000000000u}, /* 5^20 */
    {0xd8d726b7177a8000u, 0x0000000000000000u}, /* 5^21 */
    {0x878678326eac9000u, 0x0000000000000000u}, /* 5^22 */
    {0xa968163f0a57b400u, 0x0000000000000000u}, /* 5^23 */
    {0xd3c21bcecceda100u, 0x0000000000000000u}, /* 5^24 */
    {0x84595161401484a0u, 0x0000000000000000u}, /* 5^25 */
    {0xa56fa5b99019a5c8u, 0x0000000000000000u}, /* 5^26 */
    {0xcecb8f27f4200f3au, 0x0000000000000000u}, /* 5^27 */
    {0x813f3978f8940984u, 0x4000000000000000u}, /* 5^28 */
    {0xa18f07d736b90be5u, 0x5000000000000000u}, /* 5^29 */
    {0xc9f2c9cd04674edeu, 0xa400000000000000u}, /* 5^30 */
    {0xfc6f7c4045812296u, 0x4d00000000000000u}, /* 5^31 */
    {0x9dc5ada82b70b59du, 0xf020000000000000u}, /* 5^32 */
    {0xc5371912364ce305u, 0x6c28000000000000u}, /* 5^33 */
    {0xf684df56c3e01bc6u, 0xc732000000000000u}, /* 5^34 */
    {0x9a130b963a6c115cu, 0x3c7f400000000000u}, /* 5^35 */
    {0xc097ce7bc90715b3u, 0x4b9f100000000000u}, /* 5^36 */
    {0xf0bdc21abb48db20u, 0x1e86d40000000000u}, /* 5^37 */
    {0x96769950b50d88f4u, 0x1314448000000000u}, /* 5^38 */
    {0xbc143fa4e250eb31u, 0x17d955a000000000u}, /* 5^39 */
};

typedef struct {
  uint64_t high, low;
} u128;

static u128 multiply(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
  const unsigned __int128 p = (unsigned __int128)a * b;
  return (u128){(uint64_t)(p >> 64), (uint64_t)p};
#else
  const uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
  const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const uint64_t middle = p10 + (p00 >> 32) + (uint32_t)p01; /* at most 2^64 - 1 */
  return (u128){p11 + (middle >> 32) + (p01 >> 32), (middle << 32) | (uint32_t)p00};
#endif
}

static int leading_zeros(uint64_t w) {
#if defined(__GNUC__)
  return __builtin_clzll(w);
#else
  int n = 0;
  while (!(w >> 63)) {
    w <<= 1;
    n++;
  }
  return n;
#endif
}

/*
 * The double nearest w·10^q (ties to even), for 1 <= w <= 10^19 and POW5_MIN <= q <= POW5_MAX,
 * where it is always a normal double: fast_float's compute_float<binary64> without the subnormal
 * and infinity branches.
 */
static double nearest_double(uint64_t w, int q) {
  const int lz = leading_zeros(w);
  w <<= lz;
  const uint64_t *five = FIVE_128[q - POW5_MIN];
  u128 product = multiply(w, five[0]);
  /* The low 9 bits of the high half all ones: the second word of 5^q may carry into the 55 kept. */
  if ((product.high & 0x1FF) == 0x1FF) {
    const u128 second = multiply(w, five[1]);
    product.low += second.high;
    if (second.high > product.low) product.high++;
  }
  const int upper = (int)(product.high >> 63);
  const int shift = upper + 9;
  uint64_t mantissa = product.high >> shift; /* 54 or 55 bits: the 53 and a rounding bit */
  /* floor(q·log2(10)) + 63 as fast_float's power(q), shifted to stay non-negative (no signed >>). */
  int power2 = (int)(((217706 * (int64_t)q + 220 * 65536) >> 16) - 220) + 63 + upper - lz + 1023;
  /* Exactly halfway (possible only for these q): round to even instead of up. */
  if (product.low <= 1 && q >= -4 && q <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == product.high) {
    mantissa &= ~(uint64_t)1;
  }
  mantissa += mantissa & 1;
  mantissa >>= 1;
  if (mantissa >= (uint64_t)2 << 52) {
    mantissa = (uint64_t)1 << 52;
    power2++;
  }
  const uint64_t bits = (mantissa & ~((uint64_t)1 << 52)) | (uint64_t)power2 << 52;
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

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
  int inexact = 0; /* a digit after the 19th was not 0: the value is above whole·10^exponent, below (whole + 1)·10^exponent */
  if (c == '0') {
    c = bytes[++i];
    if (is_digit(c)) return 0;
  } else if (bytes[i + 1] == '.') {
    /* One digit before the point, as most samples have (bytes[i + 1] is at most the ']'): the
     * eight-digit attempt below would fail on it. */
    whole = (uint64_t)(c - '0');
    digits = 1;
    c = bytes[++i];
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
      } else {
        exponent++;
        if (c != '0') inexact = 1;
      }
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
        const int n = leading_digits(v);
        if (n == 8 && digits + 8 <= MAX_DIGITS) {
          whole = whole * 100000000u + eight_digits_value(v);
          digits += 8;
          exponent -= 8;
          i += 8;
          c = bytes[i];
          continue;
        }
        /* The last few digits (fewer than 8) in one step rather than one by one. */
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
      } else if (c != '0') inexact = 1;
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
    magnitude = (float)(approx * (1 - BRACKET));
    if (magnitude != (float)(approx * (1 + BRACKET))) {
      /* Too close to call (a float32 rounding tie, or within 2^-48 of one): the exact double. */
      magnitude = (float)nearest_double(whole, (int)exponent);
      if (inexact && (float)nearest_double(whole + 1, (int)exponent) != magnitude) return 0;
    }
  }
  if (isinf(magnitude)) return 0;
  *value = negative ? -magnitude : magnitude;
  return i;
}

int64_t dspfn_f32_parse(const uint8_t *bytes, size_t start, size_t close, float *out, size_t capacity) {
  size_t i = start;
  size_t count = 0;
  if (bytes[close] != ']') return -1;
  while (is_space(bytes[i])) i++;
  if (bytes[i] == ']') return i == close ? 0 : -1;
  for (;;) {
    if (count == capacity) return -2;
    i = parse_number(bytes, i, close, &out[count]);
    if (i == 0) return -1;
    count++;
    /* "1.5,2" first: a separator with no white space around it. */
    uint8_t c = bytes[i];
    if (c != ',') {
      while (is_space(c)) c = bytes[++i];
      if (c == ']') return i == close ? (int64_t)count : -1;
      if (c != ',') return -1;
    }
    c = bytes[++i];
    while (is_space(c)) c = bytes[++i];
  }
}
