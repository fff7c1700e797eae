/**
 * Zeros, poles and gain to second-order sections, as scipy.signal.zpk2sos(z, p, k) does with its
 * default pairing ('nearest', digital): the same conjugate matching (_cplxreal), the same pole order
 * (closest to the unit circle last), the same zero pairing and the gain in the first section, so a
 * design's sections equal scipy's, not just its response.
 */
import { abs, conj, isReal, mul, neg, add, complex, scale, sub, type Complex } from './complex.ts';
import type { Zpk } from './zpk.ts';

/** y[n] = b0·x[n] + b1·x[n−1] + b2·x[n−2] − a1·y[n−1] − a2·y[n−2] (a0 = 1). */
export interface Section {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/** numpy's finfo(float64).eps × 100: scipy's tolerance for "real" and "conjugate". */
const TOL = 100 * 2 ** -52;

/** Stable sort by a key (numpy lexsort is stable). */
function sortBy<T>(items: T[], ...keys: ((item: T) => number)[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      for (const key of keys) {
        const d = key(a.item) - key(b.item);
        if (d !== 0) return d;
      }
      return a.index - b.index;
    })
    .map(({ item }) => item);
}

/**
 * scipy's _cplxreal: the complex values as one of each conjugate pair (positive imaginary part,
 * pairs averaged), sorted by real part then |imag|, followed by the real values, sorted.
 */
export function cplxreal(values: readonly Complex[]): Complex[] {
  if (values.length === 0) return [];
  const sorted = sortBy([...values], (z) => z.re, (z) => Math.abs(z.im));
  const isRealish = (z: Complex) => Math.abs(z.im) <= TOL * abs(z);
  const reals = sorted.filter(isRealish).map((z) => complex(z.re));
  const rest = sorted.filter((z) => !isRealish(z));
  const positive = rest.filter((z) => z.im > 0);
  const negative = rest.filter((z) => z.im < 0);
  if (positive.length !== negative.length) throw new RangeError('a complex value has no matching conjugate');
  // Runs of (nearly) the same real part, each sorted by |imag|.
  for (let start = 0; start < positive.length; ) {
    let stop = start + 1;
    while (stop < positive.length && positive[stop]!.re - positive[stop - 1]!.re <= TOL * abs(positive[stop - 1]!)) stop++;
    if (stop - start > 1) {
      for (const half of [positive, negative]) half.splice(start, stop - start, ...sortBy(half.slice(start, stop), (z) => Math.abs(z.im)));
    }
    start = stop;
  }
  const pairs = positive.map((p, i) => {
    const n = negative[i]!;
    if (abs(sub(p, conj(n))) > TOL * abs(n)) throw new RangeError('a complex value has no matching conjugate');
    return scale(add(p, conj(n)), 0.5);
  });
  return [...pairs, ...reals];
}

/** numpy.poly of up to two roots: [1, −(r1 + r2), r1·r2] (real when they are conjugates). */
function poly(roots: readonly Complex[]): number[] {
  let c: Complex[] = [complex(1)];
  for (const r of roots) {
    const next: Complex[] = [...c, complex(0)];
    for (let i = 0; i < c.length; i++) next[i + 1] = add(next[i + 1]!, mul(neg(r), c[i]!));
    c = next;
  }
  return c.map((x) => x.re);
}

/** scipy's _single_zpksos with gain 1: coefficients right-aligned in b and a. */
function single(zeros: readonly Complex[], poles: readonly Complex[]): Section {
  const b = [0, 0, 0, ...poly(zeros)].slice(-3);
  const a = [0, 0, 0, ...poly(poles)].slice(-3);
  return { b0: b[0]!, b1: b[1]!, b2: b[2]!, a1: a[1]!, a2: a[2]! };
}

/** Index of the value of `from` nearest `to` (numpy argsort order: ties keep index order), of the kind asked for. */
function nearest(from: readonly Complex[], to: Complex, which: 'real' | 'complex' | 'any'): number {
  const order = sortBy(
    from.map((_, i) => i),
    (i) => abs(sub(from[i]!, to)),
  );
  const found = order.find((i) => which === 'any' || isReal(from[i]!) === (which === 'real'));
  if (found === undefined) throw new RangeError(`no ${which} value to pair with`);
  return found;
}

/** The pole closest to the unit circle (the first of equals, as numpy argmin). */
function worst(poles: readonly Complex[]): number {
  let best = 0;
  for (let i = 1; i < poles.length; i++) if (Math.abs(1 - abs(poles[i]!)) < Math.abs(1 - abs(poles[best]!))) best = i;
  return best;
}

function take<T>(items: T[], index: number): T {
  return items.splice(index, 1)[0]!;
}

/** scipy.signal.zpk2sos(z, p, k) for a digital system (pairing 'nearest'). */
export function zpk2sos({ zeros, poles, gain }: Zpk): Section[] {
  if (zeros.length === 0 && poles.length === 0) return [{ b0: gain, b1: 0, b2: 0, a1: 0, a2: 0 }];
  let p = [...poles, ...Array.from({ length: Math.max(zeros.length - poles.length, 0) }, () => complex(0))];
  let z = [...zeros, ...Array.from({ length: Math.max(poles.length - zeros.length, 0) }, () => complex(0))];
  const count = Math.floor((Math.max(p.length, z.length) + 1) / 2);
  if (p.length % 2 === 1) {
    p = [...p, complex(0)];
    z = [...z, complex(0)];
  }
  z = cplxreal(z);
  p = cplxreal(p);
  const sections: Section[] = new Array<Section>(count);
  // From the last section back: the poles closest to the unit circle end up last.
  for (let si = count - 1; si >= 0; si--) {
    const p1 = take(p, worst(p));
    const realPoles = p.filter(isReal).length;
    if (isReal(p1) && realPoles === 0) {
      // The last real pole: a first-order section with the nearest real zero.
      const z1 = take(z, nearest(z, p1, 'real'));
      sections[si] = single([z1, complex(0)], [p1, complex(0)]);
    } else if (p.length + 1 === z.length && !isReal(p1) && realPoles === 1 && z.filter(isReal).length === 1) {
      // One real pole and one real zero left: this complex pole must take a complex zero.
      const z1 = take(z, nearest(z, p1, 'complex'));
      sections[si] = single([z1, conj(z1)], [p1, conj(p1)]);
    } else {
      let p2: Complex;
      if (isReal(p1)) {
        const realIndices = p.map((x, i) => (isReal(x) ? i : -1)).filter((i) => i >= 0);
        p2 = take(p, realIndices[worst(realIndices.map((i) => p[i]!))]!);
      } else {
        p2 = conj(p1);
      }
      if (z.length > 0) {
        const z1 = take(z, nearest(z, p1, 'any'));
        if (!isReal(z1)) {
          sections[si] = single([z1, conj(z1)], [p1, p2]);
        } else if (z.length > 0) {
          const z2 = take(z, nearest(z, p1, 'real'));
          sections[si] = single([z1, z2], [p1, p2]);
        } else {
          sections[si] = single([z1], [p1, p2]);
        }
      } else {
        sections[si] = single([], [p1, p2]);
      }
    }
  }
  const first = sections[0]!;
  sections[0] = { ...first, b0: first.b0 * gain, b1: first.b1 * gain, b2: first.b2 * gain };
  return sections;
}
