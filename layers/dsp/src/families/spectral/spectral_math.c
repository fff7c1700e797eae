/* See spectral_math.h; the reasoning and accuracy are in spectral-math.ts, which this mirrors. */
#include "families/spectral/spectral_math.h"

#include <string.h>

#define PI_HALF 1.5707963267948966

static const double S[9] = {
    -0.16666666666666666, 0.008333333333333333, -0.0001984126984126984, 0.0000027557319223985893, -2.505210838544172e-8,
    1.6059043836821613e-10, -7.647163731819816e-13, 2.8114572543455206e-15, -8.22063524662433e-18,
};
static const double C[9] = {
    -0.5, 0.041666666666666664, -0.001388888888888889, 0.0000248015873015873, -2.755731922398589e-7, 2.08767569878681e-9,
    -1.1470745597729725e-11, 4.779477332387385e-14, -1.5619206968586225e-16,
};

static void sincos_reduced(double x, double *s, double *c) {
  const double z = x * x;
  double ps = S[8];
  for (int k = 7; k >= 0; k--) ps = S[k] + z * ps;
  double pc = C[8];
  for (int k = 7; k >= 0; k--) pc = C[k] + z * pc;
  *s = x + x * (z * ps);
  *c = 1 + z * pc;
}

void dspfn_sincos2pi(uint64_t k, uint64_t n, double *s_out, double *c_out) {
  const uint64_t k4 = (k % n) * 4;
  const uint64_t q = k4 / n;
  const uint64_t r = k4 - q * n;
  double s, c;
  if (2 * r <= n) {
    sincos_reduced(((double)r * PI_HALF) / (double)n, &s, &c);
  } else {
    sincos_reduced(((double)(n - r) * PI_HALF) / (double)n, &c, &s);
  }
  switch (q) {
    case 0: *s_out = s; *c_out = c; break;
    case 1: *s_out = c; *c_out = -s; break;
    case 2: *s_out = -s; *c_out = -c; break;
    default: *s_out = -c; *c_out = s; break;
  }
}

#define SQRT2 1.4142135623730951
#define LN2_HI 0.6931471803691238
#define LN2_LO 1.9082149292705877e-10
#define TWO54 18014398509481984.0

static const double L[10] = {
    0.3333333333333333, 0.2, 0.14285714285714285, 0.1111111111111111, 0.09090909090909091, 0.07692307692307693,
    0.06666666666666667, 0.058823529411764705, 0.05263157894736842, 0.047619047619047616,
};

double dspfn_ln(double x) {
  if (!(x > 0)) return x == 0 ? -__builtin_inf() : __builtin_nan("");
  if (x == __builtin_inf()) return x;
  int e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO54;
    e = -54;
  }
  uint64_t b;
  memcpy(&b, &x, 8);
  const uint32_t hi = (uint32_t)(b >> 32);
  e += (int)(hi >> 20) - 1023;
  b = ((uint64_t)((hi & 0x000fffffu) | 0x3ff00000u) << 32) | (b & 0xffffffffu);
  double m;
  memcpy(&m, &b, 8);
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const double f = m - 1;
  const double s = f / (2 + f);
  const double z = s * s;
  double p = L[9];
  for (int k = 8; k >= 0; k--) p = L[k] + z * p;
  const double r = z * p;
  const double lnm = f - s * (f - 2 * r);
  const double ed = (double)e;
  return ed * LN2_LO + lnm + ed * LN2_HI;
}

#define INV_LN2 1.4426950408889634

static const double E[12] = {
    0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333, 0.001388888888888889, 0.0001984126984126984,
    0.0000248015873015873, 0.0000027557319223985893, 2.755731922398589e-7, 2.505210838544172e-8, 2.08767569878681e-9,
    1.6059043836821613e-10,
};

static double pow2(int k) {
  const uint64_t b = (uint64_t)(k + 1023) << 52;
  double v;
  memcpy(&v, &b, 8);
  return v;
}

double dspfn_exp(double x) {
  if (x != x) return x;
  if (x > 709.782712893384) return __builtin_inf();
  if (x < -745.1332191019412) return 0;
  const double t = x * INV_LN2 + 0.5;
  double k = (double)(int64_t)t; /* trunc */
  if (k > t) k -= 1;              /* floor */
  const double r = x - k * LN2_HI - k * LN2_LO;
  double p = E[11];
  for (int j = 10; j >= 0; j--) p = E[j] + r * p;
  const double y = 1 + r * (1 + r * p);
  const int ki = (int)k;
  if (ki > 1023) return y * pow2(1023) * pow2(ki - 1023);
  if (ki < -1022) return y * pow2(ki + 1000) * pow2(-1000);
  return y * pow2(ki);
}
