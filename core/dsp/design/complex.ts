/**
 * The few complex operations the filter designs need, on plain { re, im } values. Written as numpy
 * computes them (products, quotients, the principal square root), so a port of a scipy design path
 * follows it step by step.
 */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

export const complex = (re: number, im = 0): Complex => ({ re, im });

export const add = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
export const sub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });
export const neg = (a: Complex): Complex => ({ re: -a.re, im: -a.im });
export const conj = (a: Complex): Complex => ({ re: a.re, im: -a.im });
export const scale = (a: Complex, s: number): Complex => ({ re: a.re * s, im: a.im * s });
export const mul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });

/** numpy's complex quotient (Smith's, through the reciprocal of the scaled divisor, as numpy's divide loop). */
export function div(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const rat = b.im / b.re;
    const scl = 1.0 / (b.re + b.im * rat);
    return { re: (a.re + a.im * rat) * scl, im: (a.im - a.re * rat) * scl };
  }
  const rat = b.re / b.im;
  const scl = 1.0 / (b.im + b.re * rat);
  return { re: (a.re * rat + a.im) * scl, im: (a.im * rat - a.re) * scl };
}

export const abs = (a: Complex): number => Math.hypot(a.re, a.im);

/** The principal square root (the branch cut on the negative real axis, the sign of a zero imaginary part kept, as C99 csqrt). */
export function sqrt(a: Complex): Complex {
  if (a.re === 0 && a.im === 0) return { re: 0, im: a.im };
  const t = Math.sqrt((Math.abs(a.re) + abs(a)) / 2);
  if (a.re >= 0) return { re: t, im: a.im / (2 * t) };
  return { re: Math.abs(a.im) / (2 * t), im: Object.is(a.im, -0) || a.im < 0 ? -t : t };
}

/** Π items (1 for none). */
export function product(items: readonly Complex[]): Complex {
  let p: Complex = { re: 1, im: 0 };
  for (const item of items) p = mul(p, item);
  return p;
}

/** exp(i·θ). */
export const expi = (theta: number): Complex => ({ re: Math.cos(theta), im: Math.sin(theta) });

export const isReal = (a: Complex): boolean => a.im === 0;
