/**
 * Analog prototypes and the frequency transformations of scipy.signal's IIR design path
 * (buttap, cheb1ap, lp2lp_zpk, lp2hp_zpk, lp2bp_zpk, lp2bs_zpk, bilinear_zpk in
 * scipy/signal/_filter_design.py), ported step by step on zeros, poles and gain.
 */
import { add, complex, div, expi, mul, neg, product, scale, sqrt, sub, type Complex } from './complex.ts';

export interface Zpk {
  readonly zeros: readonly Complex[];
  readonly poles: readonly Complex[];
  readonly gain: number;
}

/** The relative degree: zeros at infinity (scipy refuses improper systems the same way). */
function degree({ zeros, poles }: Zpk): number {
  const d = poles.length - zeros.length;
  if (d < 0) throw new RangeError('an improper transfer function: more zeros than poles');
  return d;
}

/** m = −N+1, −N+3, …, N−1 (numpy's arange(-N+1, N, 2)). */
function oddSteps(order: number): number[] {
  const steps: number[] = [];
  for (let m = -order + 1; m < order; m += 2) steps.push(m);
  return steps;
}

/** scipy.signal.buttap: N poles on the unit circle in the left half plane, no zeros, gain 1. */
export function buttap(order: number): Zpk {
  // −exp(iπm/2N); the middle value m = 0 gives an exactly real pole.
  const poles = oddSteps(order).map((m) => neg(expi((Math.PI * m) / (2 * order))));
  return { zeros: [], poles, gain: 1 };
}

/** scipy.signal.cheb1ap: N poles on an ellipse, passband ripple `rippleDb`. */
export function cheb1ap(order: number, rippleDb: number): Zpk {
  const eps = Math.sqrt(10 ** (0.1 * rippleDb) - 1.0);
  const mu = (1.0 / order) * Math.asinh(1 / eps);
  // −sinh(mu + iθ) = −(sinh(mu)·cos θ + i·cosh(mu)·sin θ)
  const poles = oddSteps(order).map((m) => {
    const theta = (Math.PI * m) / (2 * order);
    return complex(-(Math.sinh(mu) * Math.cos(theta)), -(Math.cosh(mu) * Math.sin(theta)));
  });
  let gain = product(poles.map(neg)).re;
  if (order % 2 === 0) gain = gain / Math.sqrt(1 + eps * eps);
  return { zeros: [], poles, gain };
}

/** scipy.signal.lp2lp_zpk. */
export function lp2lp(zpk: Zpk, wo: number): Zpk {
  const d = degree(zpk);
  return { zeros: zpk.zeros.map((z) => scale(z, wo)), poles: zpk.poles.map((p) => scale(p, wo)), gain: zpk.gain * wo ** d };
}

/** scipy.signal.lp2hp_zpk. */
export function lp2hp(zpk: Zpk, wo: number): Zpk {
  const d = degree(zpk);
  const w = complex(wo);
  const zeros = [...zpk.zeros.map((z) => div(w, z)), ...Array.from({ length: d }, () => complex(0))];
  const gain = zpk.gain * div(product(zpk.zeros.map(neg)), product(zpk.poles.map(neg))).re;
  return { zeros, poles: zpk.poles.map((p) => div(w, p)), gain };
}

/** Each point shifted from baseband to +wo and −wo: [x + sqrt(x² − wo²)…, x − sqrt(x² − wo²)…]. */
function shiftToBand(points: readonly Complex[], wo: number): Complex[] {
  const roots = points.map((x) => sqrt(sub(mul(x, x), complex(wo * wo))));
  return [...points.map((x, i) => add(x, roots[i]!)), ...points.map((x, i) => sub(x, roots[i]!))];
}

/** scipy.signal.lp2bp_zpk. */
export function lp2bp(zpk: Zpk, wo: number, bw: number): Zpk {
  const d = degree(zpk);
  // z·bw/2 as numpy evaluates it: (z·bw)/2
  const narrow = (x: Complex) => scale(scale(x, bw), 0.5);
  const zeros = [...shiftToBand(zpk.zeros.map(narrow), wo), ...Array.from({ length: d }, () => complex(0))];
  const poles = shiftToBand(zpk.poles.map(narrow), wo);
  return { zeros, poles, gain: zpk.gain * bw ** d };
}

/** scipy.signal.lp2bs_zpk. */
export function lp2bs(zpk: Zpk, wo: number, bw: number): Zpk {
  const d = degree(zpk);
  const half = complex(bw / 2);
  const zeros = [
    ...shiftToBand(zpk.zeros.map((z) => div(half, z)), wo),
    ...Array.from({ length: d }, () => complex(0, wo)),
    ...Array.from({ length: d }, () => complex(0, -wo)),
  ];
  const poles = shiftToBand(zpk.poles.map((p) => div(half, p)), wo);
  const gain = zpk.gain * div(product(zpk.zeros.map(neg)), product(zpk.poles.map(neg))).re;
  return { zeros, poles, gain };
}

/** scipy.signal.bilinear_zpk: s → z with (fs2 + s)/(fs2 − s), fs2 = 2·fs; zeros at infinity go to −1. */
export function bilinear(zpk: Zpk, fs: number): Zpk {
  const d = degree(zpk);
  const fs2 = complex(2.0 * fs);
  const map = (s: Complex) => div(add(fs2, s), sub(fs2, s));
  const zeros = [...zpk.zeros.map(map), ...Array.from({ length: d }, () => complex(-1))];
  const gain = zpk.gain * div(product(zpk.zeros.map((z) => sub(fs2, z))), product(zpk.poles.map((p) => sub(fs2, p)))).re;
  return { zeros, poles: zpk.poles.map(map), gain };
}
