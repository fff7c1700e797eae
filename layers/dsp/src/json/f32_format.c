/*
 * float32 -> shortest JSON number text (see f32_text.h): core/codecs/float32-format.ts's digits
 * another way, in integers (below), proven byte-identical over every float32 by
 * layers/dsp/test/f32_exhaustive.c. Property tests compare it with the TypeScript code.
 */
#include "json/f32_text.h"

#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * float32 -> shortest digits
 * ------------------------------------------------------------------------------------------- */

/*
 * The digits come from Schubfach (Raffaello Giulietti, "The Schubfach way to render doubles", 2020;
 * Java's Float.toString since JDK 19), float32 variant: v = c·2^q and the two ends of its rounding
 * interval, scaled by 10^-k so that v's scaled value s has 7 to 9 digits, each by one 64-bit
 * multiply (rounded to odd, which keeps every comparison with an even integer exact). Of the
 * decimals in the interval, the one multiple of 10 at that scale (if any) is the shortest; else s
 * or s + 1, the nearer (a tie goes up). That is what the TypeScript writer's round-trip search
 * finds, because its candidates convert to the correctly rounded double and its nearest candidate
 * comes first. layers/dsp/test/f32_exhaustive.c checks the two agree on all 2^32 floats (that
 * search is kept there as the reference). shortest_digits takes the same decimals from two products
 * of v alone, and leaves the few values it cannot settle that way to schubfach_digits.
 */

/* For k = -45 … 31 (every normal float32): g, the top 63 bits of the 126-bit
 * ⌊10^-k · 2^(125 − ⌊log2 10^-k⌋)⌋ + 1, plus 1 (Schubfach's g1(k) + 1), and ⌊log2 10^-k⌋ + 33 − 150,
 * which added to the biased binary exponent is the shift h that lines c up with g. */
#define SCALE_K_MIN (-45)
static const struct scale {
  uint64_t g;
  int64_t shift;
} SCALES[77] = {
  {0x59aedfc10d7279c6u, 32}, {0x47bf19673df52e38u, 29}, {0x72cb5bd86321e38du, 25},
  {0x5bd5e313828182d7u, 22}, {0x4977e8dc68679be0u, 19}, {0x758ca7c70d7292ffu, 15},
  {0x5e0a1fd271287599u, 12}, {0x4b3b4ca85a86c47bu, 9}, {0x785ee10d5da46d91u, 5},
  {0x604be73de4838adau, 2}, {0x4d0985cb1d3608afu, -1}, {0x7b426fab61f00de4u, -5},
  {0x629b8c891b267183u, -8}, {0x4ee2d6d415b85acfu, -11}, {0x7e37be2022c0914cu, -15},
  {0x64f964e68233a770u, -18}, {0x50c783eb9b5c85f3u, -21}, {0x409f9cbc7c4a04c3u, -24},
  {0x6765c793fa10079eu, -28}, {0x52b7d2dcc80cd2e5u, -31}, {0x422ca8b0a00a4251u, -34},
  {0x69e10de76676d081u, -38}, {0x54b40b1f852bda01u, -41}, {0x43c33c1937564801u, -44},
  {0x6c6b935b8bbd4001u, -48}, {0x56bc75e2d6310001u, -51}, {0x4563918244f40001u, -54},
  {0x6f05b59d3b200001u, -58}, {0x58d15e1762800001u, -61}, {0x470de4df82000001u, -64},
  {0x71afd498d0000001u, -68}, {0x5af3107a40000001u, -71}, {0x48c2739500000001u, -74},
  {0x746a528800000001u, -78}, {0x5d21dba000000001u, -81}, {0x4a817c8000000001u, -84},
  {0x7735940000000001u, -88}, {0x5f5e100000000001u, -91}, {0x4c4b400000000001u, -94},
  {0x7a12000000000001u, -98}, {0x61a8000000000001u, -101}, {0x4e20000000000001u, -104},
  {0x7d00000000000001u, -108}, {0x6400000000000001u, -111}, {0x5000000000000001u, -114},
  {0x4000000000000001u, -117}, {0x6666666666666667u, -121}, {0x51eb851eb851eb86u, -124},
  {0x4189374bc6a7ef9eu, -127}, {0x68db8bac710cb296u, -131}, {0x53e2d6238da3c212u, -134},
  {0x431bde82d7b634dbu, -137}, {0x6b5fca6af2bd215fu, -141}, {0x55e63b88c230e77fu, -144},
  {0x44b82fa09b5a52ccu, -147}, {0x6df37f675ef6eae0u, -151}, {0x57f5ff85e5925580u, -154},
  {0x465e6604b7a84466u, -157}, {0x709709a125da070au, -161}, {0x5a126e1a84ae6c08u, -164},
  {0x480ebe7b9d58566du, -167}, {0x734aca5f6226f0aeu, -171}, {0x5c3bd5191b525a25u, -174},
  {0x49c97747490eae84u, -177}, {0x760f253edb4ab0d3u, -181}, {0x5e72843249088d76u, -184},
  {0x4b8ed0283a6d3df8u, -187}, {0x78e480405d7b9659u, -191}, {0x60b6cd004ac94514u, -194},
  {0x4d5f0a66a23a9daau, -197}, {0x7bcb43d769f762a9u, -201}, {0x63090312bb2c4eeeu, -204},
  {0x4f3a68dbc8f03f25u, -207}, {0x7ec3daf941806507u, -211}, {0x65697bfa9acd1da0u, -214},
  {0x51212ffbaf0a7e19u, -217}, {0x40e7599625a1fe7bu, -220},
};

/* ⌊p / 2^shift⌋ for p ≥ -128 · 2^shift, in unsigned arithmetic (no shift of a negative number). */
static int32_t floor_shift(int64_t p, int shift) { return (int32_t)(((uint64_t)p + ((uint64_t)128 << shift)) >> shift) - 128; }

/* Schubfach's fixed-point logarithms, exact over float32's exponents: ⌊q·log10 2⌋ and
 * ⌊q·log10 2 + log10 3/4⌋. */
static int32_t floor_log10_pow2(int32_t q) { return floor_shift((int64_t)q * 661971961083, 41); }
static int32_t floor_log10_three_quarters_pow2(int32_t q) { return floor_shift((int64_t)q * 661971961083 - 274743187321, 41); }

/* The high 64 bits of a · b. */
static uint64_t mul_high(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
  return (uint64_t)(((unsigned __int128)a * b) >> 64);
#else
  const uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  const uint64_t middle = (a0 * b0 >> 32) + (a1 * b0 & 0xffffffffu) + a0 * b1;
  return a1 * b1 + (a1 * b0 >> 32) + (middle >> 32);
#endif
}

/* ⌊g · cp / 2^95⌋, its lowest bit set when the bits below (down to 2^64) are not all zero. */
static uint32_t round_to_odd(uint64_t g, uint64_t cp) {
  const uint64_t x = mul_high(g, cp);
  return (uint32_t)((x >> 31) | (((x & 0xffffffffu) + 0xffffffffu) >> 32));
}

/* The shortest, nearest digits of a positive normal float32 given by its bits (8 388 608 … 167 772 170),
 * and their exponent, by Schubfach's three rounded-to-odd products: exact for every float32. */
static uint32_t schubfach_digits(uint32_t bits, int32_t *exponent) {
  const uint32_t fraction = bits & 0x7fffffu;
  const int32_t q = (int32_t)(bits >> 23) - 150;
  const uint32_t c = fraction | 0x800000u;
  const uint32_t excluded = c & 1; /* an exact tie reads back to the even neighbour */
  const uint64_t cb = (uint64_t)c << 2;
  /* Below a power of two the next float down is half as far (except next to the subnormals). */
  const int regular = fraction != 0 || q == -149;
  const uint64_t cbl = cb - (regular ? 2 : 1);
  const int32_t k = regular ? floor_log10_pow2(q) : floor_log10_three_quarters_pow2(q);
  const struct scale scale = SCALES[k - SCALE_K_MIN];
  const int32_t h = (int32_t)(bits >> 23) + (int32_t)scale.shift;
  const uint64_t g = scale.g;
  /* 4v, and the interval's ends, times 10^-k. */
  const uint32_t vb = round_to_odd(g, cb << h);
  const uint32_t vbl = round_to_odd(g, cbl << h) + excluded;
  const uint32_t vbr = round_to_odd(g, (cb + 2) << h) - excluded;
  const uint32_t s = vb >> 2;
  *exponent = k;
  /* One digit fewer: at most one multiple of 10 fits (the scaled interval is shorter than 10). Then
   * s or s + 1: whichever is in the interval, or of both the nearer, a tie up. Chosen without
   * branches: which case applies is as good as random from value to value. */
  const uint32_t sp10 = s / 10u * 10u, tp10 = sp10 + 10u, t = s + 1;
  const uint32_t up_in = vbl <= sp10 << 2, wp_in = tp10 << 2 <= vbr;
  const uint32_t u_in = vbl <= s << 2, w_in = t << 2 <= vbr, below_middle = vb < (s << 2) + 2;
  const uint32_t shorter = tp10 - 10u * up_in;
  const uint32_t full = t - (u_in & ((w_in ^ 1u) | below_middle));
  const uint32_t pick_shorter = 0u - (up_in ^ wp_in);
  return (shorter & pick_shorter) | (full & ~pick_shorter);
}

/* The fast range's biased exponents (see FAST_MIN_BITS), 83 … 200, each with g as in SCALES for its
 * k, g10 = ⌊10^(-k-1) · 2^(62 − ⌊log2 10^-k⌋)⌋ + 1 (g / 10, rounded up, at g's scale), k, and the
 * shift that lines c up with them: c << shift times g is v·10^-k · 2^64. */
#define FAST_BIASED_MIN 83
static const struct fast_scale {
  uint64_t g, g10;
  int32_t k, shift;
} FAST_SCALES[118] = {
  {0x6c6b935b8bbd4001u, 0x0ad78ebc5ac62001u, -21, 4}, {0x56bc75e2d6310001u, 0x08ac7230489e8001u, -20, 2},
  {0x56bc75e2d6310001u, 0x08ac7230489e8001u, -20, 3}, {0x56bc75e2d6310001u, 0x08ac7230489e8001u, -20, 4},
  {0x4563918244f40001u, 0x06f05b59d3b20001u, -19, 2}, {0x4563918244f40001u, 0x06f05b59d3b20001u, -19, 3},
  {0x4563918244f40001u, 0x06f05b59d3b20001u, -19, 4}, {0x4563918244f40001u, 0x06f05b59d3b20001u, -19, 5},
  {0x6f05b59d3b200001u, 0x0b1a2bc2ec500001u, -18, 2}, {0x6f05b59d3b200001u, 0x0b1a2bc2ec500001u, -18, 3},
  {0x6f05b59d3b200001u, 0x0b1a2bc2ec500001u, -18, 4}, {0x58d15e1762800001u, 0x08e1bc9bf0400001u, -17, 2},
  {0x58d15e1762800001u, 0x08e1bc9bf0400001u, -17, 3}, {0x58d15e1762800001u, 0x08e1bc9bf0400001u, -17, 4},
  {0x470de4df82000001u, 0x071afd498d000001u, -16, 2}, {0x470de4df82000001u, 0x071afd498d000001u, -16, 3},
  {0x470de4df82000001u, 0x071afd498d000001u, -16, 4}, {0x470de4df82000001u, 0x071afd498d000001u, -16, 5},
  {0x71afd498d0000001u, 0x0b5e620f48000001u, -15, 2}, {0x71afd498d0000001u, 0x0b5e620f48000001u, -15, 3},
  {0x71afd498d0000001u, 0x0b5e620f48000001u, -15, 4}, {0x5af3107a40000001u, 0x09184e72a0000001u, -14, 2},
  {0x5af3107a40000001u, 0x09184e72a0000001u, -14, 3}, {0x5af3107a40000001u, 0x09184e72a0000001u, -14, 4},
  {0x48c2739500000001u, 0x0746a52880000001u, -13, 2}, {0x48c2739500000001u, 0x0746a52880000001u, -13, 3},
  {0x48c2739500000001u, 0x0746a52880000001u, -13, 4}, {0x48c2739500000001u, 0x0746a52880000001u, -13, 5},
  {0x746a528800000001u, 0x0ba43b7400000001u, -12, 2}, {0x746a528800000001u, 0x0ba43b7400000001u, -12, 3},
  {0x746a528800000001u, 0x0ba43b7400000001u, -12, 4}, {0x5d21dba000000001u, 0x09502f9000000001u, -11, 2},
  {0x5d21dba000000001u, 0x09502f9000000001u, -11, 3}, {0x5d21dba000000001u, 0x09502f9000000001u, -11, 4},
  {0x4a817c8000000001u, 0x0773594000000001u, -10, 2}, {0x4a817c8000000001u, 0x0773594000000001u, -10, 3},
  {0x4a817c8000000001u, 0x0773594000000001u, -10, 4}, {0x4a817c8000000001u, 0x0773594000000001u, -10, 5},
  {0x7735940000000001u, 0x0bebc20000000001u, -9, 2}, {0x7735940000000001u, 0x0bebc20000000001u, -9, 3},
  {0x7735940000000001u, 0x0bebc20000000001u, -9, 4}, {0x5f5e100000000001u, 0x0989680000000001u, -8, 2},
  {0x5f5e100000000001u, 0x0989680000000001u, -8, 3}, {0x5f5e100000000001u, 0x0989680000000001u, -8, 4},
  {0x4c4b400000000001u, 0x07a1200000000001u, -7, 2}, {0x4c4b400000000001u, 0x07a1200000000001u, -7, 3},
  {0x4c4b400000000001u, 0x07a1200000000001u, -7, 4}, {0x4c4b400000000001u, 0x07a1200000000001u, -7, 5},
  {0x7a12000000000001u, 0x0c35000000000001u, -6, 2}, {0x7a12000000000001u, 0x0c35000000000001u, -6, 3},
  {0x7a12000000000001u, 0x0c35000000000001u, -6, 4}, {0x61a8000000000001u, 0x09c4000000000001u, -5, 2},
  {0x61a8000000000001u, 0x09c4000000000001u, -5, 3}, {0x61a8000000000001u, 0x09c4000000000001u, -5, 4},
  {0x4e20000000000001u, 0x07d0000000000001u, -4, 2}, {0x4e20000000000001u, 0x07d0000000000001u, -4, 3},
  {0x4e20000000000001u, 0x07d0000000000001u, -4, 4}, {0x4e20000000000001u, 0x07d0000000000001u, -4, 5},
  {0x7d00000000000001u, 0x0c80000000000001u, -3, 2}, {0x7d00000000000001u, 0x0c80000000000001u, -3, 3},
  {0x7d00000000000001u, 0x0c80000000000001u, -3, 4}, {0x6400000000000001u, 0x0a00000000000001u, -2, 2},
  {0x6400000000000001u, 0x0a00000000000001u, -2, 3}, {0x6400000000000001u, 0x0a00000000000001u, -2, 4},
  {0x5000000000000001u, 0x0800000000000001u, -1, 2}, {0x5000000000000001u, 0x0800000000000001u, -1, 3},
  {0x5000000000000001u, 0x0800000000000001u, -1, 4}, {0x4000000000000001u, 0x0666666666666667u, 0, 2},
  {0x4000000000000001u, 0x0666666666666667u, 0, 3}, {0x4000000000000001u, 0x0666666666666667u, 0, 4},
  {0x4000000000000001u, 0x0666666666666667u, 0, 5}, {0x6666666666666667u, 0x0a3d70a3d70a3d71u, 1, 2},
  {0x6666666666666667u, 0x0a3d70a3d70a3d71u, 1, 3}, {0x6666666666666667u, 0x0a3d70a3d70a3d71u, 1, 4},
  {0x51eb851eb851eb86u, 0x083126e978d4fdf4u, 2, 2}, {0x51eb851eb851eb86u, 0x083126e978d4fdf4u, 2, 3},
  {0x51eb851eb851eb86u, 0x083126e978d4fdf4u, 2, 4}, {0x4189374bc6a7ef9eu, 0x068db8bac710cb2au, 3, 2},
  {0x4189374bc6a7ef9eu, 0x068db8bac710cb2au, 3, 3}, {0x4189374bc6a7ef9eu, 0x068db8bac710cb2au, 3, 4},
  {0x4189374bc6a7ef9eu, 0x068db8bac710cb2au, 3, 5}, {0x68db8bac710cb296u, 0x0a7c5ac471b47843u, 4, 2},
  {0x68db8bac710cb296u, 0x0a7c5ac471b47843u, 4, 3}, {0x68db8bac710cb296u, 0x0a7c5ac471b47843u, 4, 4},
  {0x53e2d6238da3c212u, 0x08637bd05af6c69cu, 5, 2}, {0x53e2d6238da3c212u, 0x08637bd05af6c69cu, 5, 3},
  {0x53e2d6238da3c212u, 0x08637bd05af6c69cu, 5, 4}, {0x431bde82d7b634dbu, 0x06b5fca6af2bd216u, 6, 2},
  {0x431bde82d7b634dbu, 0x06b5fca6af2bd216u, 6, 3}, {0x431bde82d7b634dbu, 0x06b5fca6af2bd216u, 6, 4},
  {0x431bde82d7b634dbu, 0x06b5fca6af2bd216u, 6, 5}, {0x6b5fca6af2bd215fu, 0x0abcc77118461cf0u, 7, 2},
  {0x6b5fca6af2bd215fu, 0x0abcc77118461cf0u, 7, 3}, {0x6b5fca6af2bd215fu, 0x0abcc77118461cf0u, 7, 4},
  {0x55e63b88c230e77fu, 0x089705f4136b4a5au, 8, 2}, {0x55e63b88c230e77fu, 0x089705f4136b4a5au, 8, 3},
  {0x55e63b88c230e77fu, 0x089705f4136b4a5au, 8, 4}, {0x44b82fa09b5a52ccu, 0x06df37f675ef6eaeu, 9, 2},
  {0x44b82fa09b5a52ccu, 0x06df37f675ef6eaeu, 9, 3}, {0x44b82fa09b5a52ccu, 0x06df37f675ef6eaeu, 9, 4},
  {0x44b82fa09b5a52ccu, 0x06df37f675ef6eaeu, 9, 5}, {0x6df37f675ef6eae0u, 0x0afebff0bcb24ab0u, 10, 2},
  {0x6df37f675ef6eae0u, 0x0afebff0bcb24ab0u, 10, 3}, {0x6df37f675ef6eae0u, 0x0afebff0bcb24ab0u, 10, 4},
  {0x57f5ff85e5925580u, 0x08cbccc096f5088du, 11, 2}, {0x57f5ff85e5925580u, 0x08cbccc096f5088du, 11, 3},
  {0x57f5ff85e5925580u, 0x08cbccc096f5088du, 11, 4}, {0x465e6604b7a84466u, 0x0709709a125da071u, 12, 2},
  {0x465e6604b7a84466u, 0x0709709a125da071u, 12, 3}, {0x465e6604b7a84466u, 0x0709709a125da071u, 12, 4},
  {0x465e6604b7a84466u, 0x0709709a125da071u, 12, 5}, {0x709709a125da070au, 0x0b424dc35095cd81u, 13, 2},
  {0x709709a125da070au, 0x0b424dc35095cd81u, 13, 3}, {0x709709a125da070au, 0x0b424dc35095cd81u, 13, 4},
  {0x5a126e1a84ae6c08u, 0x0901d7cf73ab0aceu, 14, 2}, {0x5a126e1a84ae6c08u, 0x0901d7cf73ab0aceu, 14, 3},
  {0x5a126e1a84ae6c08u, 0x0901d7cf73ab0aceu, 14, 4}, {0x480ebe7b9d58566du, 0x0734aca5f6226f0bu, 15, 2},
};

/* a · b: the high 64 bits returned, the low ones at *low. */
static uint64_t mul_wide(uint64_t a, uint64_t b, uint64_t *low) {
#if defined(__SIZEOF_INT128__)
  const unsigned __int128 product = (unsigned __int128)a * b;
  *low = (uint64_t)product;
  return (uint64_t)(product >> 64);
#else
  *low = a * b;
  return mul_high(a, b);
#endif
}

/*
 * The same digits from two independent products (after Yaoyuan Guo's yy and Victor Zverovich's
 * Żmij, which take the interval's ends from the centre instead of multiplying each): v·10^-k as a
 * whole part s and a 64-bit fraction, and v·10^(-k-1) likewise, whose fraction is (v mod 10) / 10.
 * The multiple of 10 below v is in the interval when that fraction is below half the scaled spacing
 * of floats, 2^q·10^(-k-1) / 2 (g10 shifted); the one above when it is that close to 1. Else s or
 * s + 1, the nearer (the fraction of v against 1/2). The products are a hair above the exact ones
 * (g and g10 are rounded up), so a comparison too close to call (within 2^-30: far more than the
 * error) and the values whose interval is not symmetric (a power of two) go to schubfach_digits;
 * the exhaustive check confirms the two agree on every float32 of the fast range (the only values
 * it is given: FAST_SCALES covers their exponents).
 */
static uint32_t shortest_digits(uint32_t bits, int32_t *exponent) {
  const uint32_t fraction = bits & 0x7fffffu;
  if (fraction != 0) {
    const struct fast_scale *scale = &FAST_SCALES[(bits >> 23) - FAST_BIASED_MIN];
    const uint64_t m = (uint64_t)(fraction | 0x800000u) << scale->shift;
    uint64_t low, low10;
    const uint64_t whole = mul_wide(scale->g, m, &low);
    const uint64_t tens = mul_wide(scale->g10, m, &low10);
    const uint64_t half10 = scale->g10 << (scale->shift - 1);
    const uint64_t near = (uint64_t)1 << 34;
    if (low10 - half10 + near > 2 * near && low10 + half10 + near > 2 * near && low - ((uint64_t)1 << 63) + near > 2 * near) {
      *exponent = scale->k;
      /* Branches, not masks: predicted (mostly s or s + 1), the text starts from the product
       * without waiting for the comparisons; measured faster than masks on typical values. */
      if (low10 >= 0 - half10) return (uint32_t)tens * 10u + 10u;
      if (low10 < half10) return (uint32_t)tens * 10u;
      return (uint32_t)whole + (uint32_t)(low >> 63);
    }
  }
  return schubfach_digits(bits, exponent);
}

/* ---------------------------------------------------------------------------------------------
 * digits -> text
 * ------------------------------------------------------------------------------------------- */

/* v < 10^8 as 8 decimal digits (0 … 9, not yet ASCII), one per byte, the first in the lowest:
 * halves of 4 digits, then pairs, then digits, each split in all lanes at once. A split puts the
 * quotient q of a lane x in its low half and x - q·d in its high one as (x << w) - q·((d << w) - 1):
 * one multiply and subtract after q (Żmij's way), not three steps. */
static uint64_t digit_bytes(uint32_t v) {
  const uint64_t high = v / 10000u;
  const uint64_t halves = ((uint64_t)v << 32) - high * ((UINT64_C(10000) << 32) - 1);
  const uint64_t hundreds = (halves * 10486u >> 20) & 0x0000007f0000007fu;
  const uint64_t pairs = (halves << 16) - hundreds * ((100u << 16) - 1);
  const uint64_t tens = (pairs * 103u >> 10) & 0x000f000f000f000fu;
  return (pairs << 8) - tens * ((10u << 8) - 1);
}

/* How many of those 8 digits are trailing zeros. */
static int trailing_zero_digits(uint64_t digits) {
  if (digits == 0) return 8;
#if defined(__GNUC__)
  return __builtin_clzll(digits) >> 3;
#else
  int zeros = 0;
  while ((digits >> (56 - 8 * zeros)) == 0) zeros++;
  return zeros;
#endif
}

/* 8 bytes, the lowest byte first in memory. */
static void store8(uint8_t *at, uint64_t bytes) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  bytes = __builtin_bswap64(bytes);
#endif
  memcpy(at, &bytes, 8);
}

#define ASCII_ZEROS 0x3030303030303030u

/*
 * The positive number digits·10^exponent (digits as shortest_digits gives them) as writeFloat32Of
 * writes it (JavaScript's Number text) at out; returns the length. With the digits as a lead digit
 * and 8 more in one word (trailing zeros included), every layout is a few fixed-size stores; some
 * write past the text, at most 21 bytes from out in all (the caller has room).
 */
static size_t write_digits(uint32_t digits, int32_t exponent, uint8_t *out) {
  /* 7 to 9 digits. Nine start with 1 (digits < 2^24 · 10), so 8 more follow; 7 or 8 are written as 8
   * (one leading zero or none) and the first nonzero is the lead. In masks, not branches: the count
   * is as good as random. */
  const uint32_t nine = digits >= 100000000u, eight = digits >= 10000000u;
  const int length = 7 + (int)nine + (int)eight;
  const uint64_t bytes = digit_bytes(digits - (100000000u & (0u - nine)));
  const int drop = 8 * (2 - (int)nine - (int)eight); /* leading zero digits of 8, in bits: 0, 8, 16 */
  const uint32_t lead = ((uint32_t)(bytes >> ((drop - 8) & 63)) & 0xffu & (nine - 1u)) | nine;
  const uint64_t rest = bytes >> drop;
  const int k = 9 - trailing_zero_digits(rest); /* significant digits */
  const uint64_t text = rest + ASCII_ZEROS;
  const int n = length + (int)exponent; /* the point's place: value = 0.digits · 10^n */
  if (0 < n && n < k) {
    /* 1.2345678, 123.45: the point within the digits (n ≤ 7: below 2^23 at most 8 digits are
     * whole), so at most 16 bytes are written. */
    out[0] = (uint8_t)('0' + lead);
    store8(out + 1, text);
    out[n] = '.';
    store8(out + n + 1, text >> (8 * (n - 1)));
    return (size_t)k + 1;
  }
  if (-6 < n && n <= 0) {
    /* 0.00123: "0." and -n zeros before the digits; at most 16 bytes written. */
    store8(out, 0x3030303030302e30u); /* "0.000000" */
    out[2 - n] = (uint8_t)('0' + lead);
    store8(out + 3 - n, text);
    return (size_t)(2 - n + k);
  }
  out[0] = (uint8_t)('0' + lead);
  if (k <= n && n <= 21) {
    /* 1500, 123456789000: the digits, then zeros. */
    store8(out + 1, text);
    if (n > 9) memset(out + 9, '0', (size_t)(n - 9));
    return (size_t)n;
  }
  /* 1e-7, 1.5e+21. */
  size_t at = 1;
  if (k > 1) {
    out[1] = '.';
    store8(out + 2, text);
    at = (size_t)k + 1;
  }
  int e = n - 1;
  out[at++] = 'e';
  out[at++] = e < 0 ? '-' : '+';
  if (e < 0) e = -e;
  if (e >= 10) out[at++] = (uint8_t)('0' + e / 10);
  out[at++] = (uint8_t)('0' + e % 10);
  return at;
}

/*
 * float32-format.ts: shortestFast's range, decimalExponent(x) within -13 … 21, is exactly the
 * magnitudes 1.00000005e-13 … 9.99999978e21 (0x29e12e14 … 0x64078678 as bits; the exhaustive
 * check confirms it), so one integer compare picks what the TypeScript code writes itself.
 */
#define FAST_MIN_BITS 0x29e12e14u
#define FAST_MAX_BITS 0x64078678u

/* A value outside the fast path (zero, NaN, ±Infinity, or one the TypeScript writer writes) at
 * out[at]: returns the position after it, or 0 for the TypeScript writer's (nothing written). */
static size_t write_special(uint32_t bits, uint8_t *out, size_t at) {
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude == 0) {
    /* Zero, with its sign. */
    if (bits != 0) out[at++] = '-';
    out[at++] = '0';
    return at;
  }
  if (magnitude < 0x7f800000u) return 0;
  /* NaN and ±Infinity: JSON has none. */
  memcpy(out + at, "null", 4);
  return at + 4;
}

static int in_fast_range(uint32_t bits) { return (bits & 0x7fffffffu) - FAST_MIN_BITS <= FAST_MAX_BITS - FAST_MIN_BITS; }

size_t dspfn_f32_format(const float *values, size_t count, size_t *index, uint8_t *out, size_t at) {
  size_t i = *index;
  for (; i < count; i++) {
    const size_t start = at;
    if (i > 0) out[at++] = ',';
    uint32_t bits;
    memcpy(&bits, values + i, sizeof bits);
    if (in_fast_range(bits)) {
      /* The caller reserved DSPFN_F32_TEXT_MAX + 1 bytes for each value left: this one writes at
       * most 23 from its comma (a sign and write_digits's 21). */
      out[at] = '-';
      at += bits >> 31;
      int32_t exponent;
      const uint32_t digits = shortest_digits(bits & 0x7fffffffu, &exponent);
      at += write_digits(digits, exponent, out + at);
    } else {
      at = write_special(bits, out, at);
      if (at == 0) {
        at = start;
        break;
      }
    }
  }
  *index = i;
  return at;
}
