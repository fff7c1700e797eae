/*
 * The FFT's loops on lane_t, included by fft.c once per instruction set (DSPFN_LANES_ISA set):
 * each element goes through exactly the operations of core/dsp/stages/families/spectral/fft.ts.
 */
#define FFT_FN(name) DSPFN_LANE_CAT(DSPFN_LANE_CAT(fft_, name##_), DSPFN_LANES_ISA)

/* The radix-4 butterfly of fft.ts on lanes: y0 … y3 before the twiddles. */
#define FFT_BUTTERFLY                                                        \
  const lane_t apcr = lane_add(ar, cr), apci = lane_add(ai, ci);             \
  const lane_t amcr = lane_sub(ar, cr), amci = lane_sub(ai, ci);             \
  const lane_t bpdr = lane_add(br, xr), bpdi = lane_add(bi, xi);             \
  const lane_t bmdr = lane_sub(br, xr), bmdi = lane_sub(bi, xi);             \
  const lane_t y0r = lane_add(apcr, bpdr), y0i = lane_add(apci, bpdi);       \
  const lane_t t1r = lane_add(amcr, bmdi), t1i = lane_sub(amci, bmdr);       \
  const lane_t t2r = lane_sub(apcr, bpdr), t2i = lane_sub(apci, bpdi);       \
  const lane_t t3r = lane_sub(amcr, bmdi), t3i = lane_add(amci, bmdr);

/* (tr + i·ti)·(wr + i·wi) = (tr·wr − ti·wi) + i·(tr·wi + ti·wr) */
#define FFT_CMUL(yr, yi, tr, ti, wr, wi)                            \
  const lane_t yr = lane_sub(lane_mul(tr, wr), lane_mul(ti, wi)); \
  const lane_t yi = lane_add(lane_mul(tr, wi), lane_mul(ti, wr));

/* The first stage (n = M, s = 1), LANES consecutive p at a time from p; returns the first p not done. */
static size_t FFT_FN(first)(size_t M, const double *sr, const double *si, double *dr, double *di,
                                       const double *tw, size_t p) {
  const size_t m = M / 4;
  const double *w1r = tw, *w1i = tw + m, *w2r = tw + 2 * m, *w2i = tw + 3 * m, *w3r = tw + 4 * m, *w3i = tw + 5 * m;
  for (; p + LANES <= m; p += LANES) {
    const lane_t ar = lane_load(sr + p), ai = lane_load(si + p);
    const lane_t br = lane_load(sr + p + m), bi = lane_load(si + p + m);
    const lane_t cr = lane_load(sr + p + 2 * m), ci = lane_load(si + p + 2 * m);
    const lane_t xr = lane_load(sr + p + 3 * m), xi = lane_load(si + p + 3 * m);
    FFT_BUTTERFLY
    FFT_CMUL(y1r, y1i, t1r, t1i, lane_load(w1r + p), lane_load(w1i + p))
    FFT_CMUL(y2r, y2i, t2r, t2i, lane_load(w2r + p), lane_load(w2i + p))
    FFT_CMUL(y3r, y3i, t3r, t3i, lane_load(w3r + p), lane_load(w3i + p))
    lane_store4(dr + 4 * p, y0r, y1r, y2r, y3r);
    lane_store4(di + 4 * p, y0i, y1i, y2i, y3i);
  }
  return p;
}

/* A radix-4 stage of length n ≥ 8 with stride s ≥ 4 (a multiple of LANES): lanes along q. */
static void FFT_FN(stage)(size_t N, size_t n, size_t s, const double *sr, const double *si, double *dr,
                                     double *di, const double *twr, const double *twi) {
  const size_t m = n / 4, step = N / n;
  for (size_t p = 0; p < m; p++) {
    const size_t k1 = p * step;
    const lane_t w1r = lane_set(twr[k1]), w1i = lane_set(twi[k1]);
    const lane_t w2r = lane_set(twr[2 * k1]), w2i = lane_set(twi[2 * k1]);
    const lane_t w3r = lane_set(twr[3 * k1]), w3i = lane_set(twi[3 * k1]);
    const size_t ia = s * p, ib = s * (p + m), ic = s * (p + 2 * m), id = s * (p + 3 * m), o = s * 4 * p;
    for (size_t q = 0; q < s; q += LANES) {
      const lane_t ar = lane_load(sr + ia + q), ai = lane_load(si + ia + q);
      const lane_t br = lane_load(sr + ib + q), bi = lane_load(si + ib + q);
      const lane_t cr = lane_load(sr + ic + q), ci = lane_load(si + ic + q);
      const lane_t xr = lane_load(sr + id + q), xi = lane_load(si + id + q);
      FFT_BUTTERFLY
      FFT_CMUL(y1r, y1i, t1r, t1i, w1r, w1i)
      FFT_CMUL(y2r, y2i, t2r, t2i, w2r, w2i)
      FFT_CMUL(y3r, y3i, t3r, t3i, w3r, w3i)
      lane_store(dr + o + q, y0r);
      lane_store(di + o + q, y0i);
      lane_store(dr + o + s + q, y1r);
      lane_store(di + o + s + q, y1i);
      lane_store(dr + o + 2 * s + q, y2r);
      lane_store(di + o + 2 * s + q, y2i);
      lane_store(dr + o + 3 * s + q, y3r);
      lane_store(di + o + 3 * s + q, y3i);
    }
  }
}

/* The last radix-4 stage (n = 4): no twiddles. */
static void FFT_FN(last4)(size_t s, const double *sr, const double *si, double *dr, double *di) {
  for (size_t q = 0; q < s; q += LANES) {
    const lane_t ar = lane_load(sr + q), ai = lane_load(si + q);
    const lane_t br = lane_load(sr + s + q), bi = lane_load(si + s + q);
    const lane_t cr = lane_load(sr + 2 * s + q), ci = lane_load(si + 2 * s + q);
    const lane_t xr = lane_load(sr + 3 * s + q), xi = lane_load(si + 3 * s + q);
    FFT_BUTTERFLY
    lane_store(dr + q, y0r);
    lane_store(di + q, y0i);
    lane_store(dr + s + q, t1r);
    lane_store(di + s + q, t1i);
    lane_store(dr + 2 * s + q, t2r);
    lane_store(di + 2 * s + q, t2i);
    lane_store(dr + 3 * s + q, t3r);
    lane_store(di + 3 * s + q, t3i);
  }
}

/* The last radix-2 stage (n = 2). */
static void FFT_FN(last2)(size_t s, const double *sr, const double *si, double *dr, double *di) {
  for (size_t q = 0; q < s; q += LANES) {
    const lane_t ar = lane_load(sr + q), ai = lane_load(si + q);
    const lane_t br = lane_load(sr + s + q), bi = lane_load(si + s + q);
    lane_store(dr + q, lane_add(ar, br));
    lane_store(di + q, lane_add(ai, bi));
    lane_store(dr + s + q, lane_sub(ar, br));
    lane_store(di + s + q, lane_sub(ai, bi));
  }
}

/* The recombination for k, M−k (LANES consecutive k from k, while k + LANES ≤ M/2); returns the first k not done. */
static size_t FFT_FN(recombine)(size_t M, const double *zr_, const double *zi_, const double *twr,
                                           const double *twi, double *power, size_t k) {
  const lane_t quarter = lane_set(0.25);
  for (; k + LANES <= M / 2; k += LANES) {
    const size_t j = M - k - (LANES - 1); /* the partners M−k … M−k−LANES+1, loaded reversed */
    const lane_t zr = lane_load(zr_ + k), zi = lane_load(zi_ + k);
    const lane_t yr = lane_reverse(lane_load(zr_ + j)), yi = lane_reverse(lane_load(zi_ + j));
    const lane_t er = lane_add(zr, yr), ei = lane_sub(zi, yi);
    const lane_t or_ = lane_sub(zr, yr), oi = lane_add(zi, yi);
    const lane_t c = lane_load(twr + k), w = lane_load(twi + k);
    const lane_t a = lane_add(lane_mul(c, oi), lane_mul(w, or_));
    const lane_t b = lane_sub(lane_mul(c, or_), lane_mul(w, oi));
    const lane_t u = lane_add(er, a), v = lane_sub(ei, b);
    const lane_t u2 = lane_sub(er, a), v2 = lane_add(ei, b);
    lane_store(power + k, lane_mul(lane_add(lane_mul(u, u), lane_mul(v, v)), quarter));
    lane_store(power + j, lane_reverse(lane_mul(lane_add(lane_mul(u2, u2), lane_mul(v2, v2)), quarter)));
  }
  return k;
}

#undef FFT_FN
