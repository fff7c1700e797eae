/**
 * Roots of a real polynomial as numpy.roots finds them: the eigenvalues of its companion matrix,
 * balanced first (as LAPACK's dgeev does), from a real Hessenberg QR (ml-matrix's
 * EigenvalueDecomposition, JAMA's hqr2), so complex roots come in exact conjugate pairs and real
 * roots are exactly real — what the section pairing (sos.ts) relies on.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { complex, type Complex } from './complex.ts';

/**
 * Scales rows and columns by powers of 2 until their norms are comparable (Parlett–Reinsch, as in
 * EISPACK's balanc): the eigenvalues are unchanged and far less sensitive to rounding.
 */
function balance(m: number[][]): void {
  const n = m.length;
  const RADIX = 2;
  for (let done = false; !done; ) {
    done = true;
    for (let i = 0; i < n; i++) {
      let r = 0;
      let c = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        c += Math.abs(m[j]![i]!);
        r += Math.abs(m[i]![j]!);
      }
      if (c === 0 || r === 0) continue;
      let g = r / RADIX;
      let f = 1;
      const s = c + r;
      while (c < g) {
        f *= RADIX;
        c *= RADIX * RADIX;
      }
      g = r * RADIX;
      while (c > g) {
        f /= RADIX;
        c /= RADIX * RADIX;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        for (let j = 0; j < n; j++) m[i]![j]! /= f;
        for (let j = 0; j < n; j++) m[j]![i]! *= f;
      }
    }
  }
}

/** The roots of c[0]·x^n + c[1]·x^(n−1) + … + c[n] (leading zeros dropped, trailing zeros give roots at 0). */
export function roots(coefficients: readonly number[]): Complex[] {
  let first = 0;
  while (first < coefficients.length && coefficients[first] === 0) first++;
  let last = coefficients.length - 1;
  while (last >= first && coefficients[last] === 0) last--;
  if (first > last) return [];
  const atZero = coefficients.length - 1 - last;
  const c = coefficients.slice(first, last + 1);
  const n = c.length - 1;
  const found: Complex[] = [];
  if (n > 0) {
    const companion: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j + 1 ? 1 : 0)));
    for (let j = 0; j < n; j++) companion[0]![j] = -c[j + 1]! / c[0]!;
    balance(companion);
    const eig = new EigenvalueDecomposition(new Matrix(companion), { assumeSymmetric: false });
    eig.realEigenvalues.forEach((re, i) => found.push(complex(re, eig.imaginaryEigenvalues[i]!)));
  }
  for (let i = 0; i < atZero; i++) found.push(complex(0));
  return found;
}
