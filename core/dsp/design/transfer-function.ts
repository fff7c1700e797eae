/**
 * A transfer function b(z⁻¹)/a(z⁻¹) of any order as second-order sections (scipy.signal.tf2sos:
 * roots, then zpk2sos's pairing), so iir({ b, a }) runs on the same biquad cascade as every other
 * IIR stage. Up to second order the normalised coefficients are the section as they are.
 */
import { roots } from './polynomial.ts';
import { zpk2sos, type Section } from './sos.ts';

/** b and a normalised by a[0], as sections. `a[0]` must be nonzero and `b` not all zeros. */
export function transferFunctionSections(b: readonly number[], a: readonly number[]): Section[] {
  const a0 = a[0]!;
  const length = Math.max(b.length, a.length);
  const pad = (c: readonly number[]) => [...c.map((v) => v / a0), ...Array.from({ length: length - c.length }, () => 0)];
  const bn = pad(b);
  const an = pad(a);
  if (length <= 3) {
    return [{ b0: bn[0]!, b1: bn[1] ?? 0, b2: bn[2] ?? 0, a1: an[1] ?? 0, a2: an[2] ?? 0 }];
  }
  // In z: b(z) = b0·z^(L−1) + …, a(z) = z^(L−1) + a1·z^(L−2) + …; leading zeros of b are delays.
  let delay = 0;
  while (bn[delay] === 0) delay++;
  const sections = zpk2sos({ zeros: roots(bn), poles: roots(an), gain: bn[delay]! });
  // zpk2sos gave the missing zeros at the origin; each delay turns one of them into z⁻¹.
  for (let d = 0; d < delay; d++) {
    const i = sections.findIndex((s) => s.b2 === 0 && !(s.b0 === 0 && s.b1 === 0));
    const s = sections[i]!;
    sections[i] = { ...s, b0: 0, b1: s.b0, b2: s.b1 };
  }
  return sections;
}
