/**
 * Roots of a real polynomial as numpy.roots finds them: the eigenvalues of its companion matrix,
 * balanced first (as LAPACK's dgeev does), by the shifted QR iteration on an upper Hessenberg
 * matrix (the companion matrix already is one): EISPACK's hqr, as in Numerical Recipes. Working in
 * real arithmetic, complex roots come out as exact conjugate pairs and real roots exactly real,
 * which the section pairing (sos.ts) relies on.
 */
import { complex, type Complex } from './complex.ts';

/**
 * Scales rows and columns by powers of 2 until their norms are comparable (Parlett–Reinsch, as in
 * EISPACK's balanc): the eigenvalues are unchanged and far less sensitive to rounding. `a` is
 * 1-based.
 */
function balance(a: number[][], n: number): void {
  const RADIX = 2;
  for (let done = false; !done; ) {
    done = true;
    for (let i = 1; i <= n; i++) {
      let r = 0;
      let c = 0;
      for (let j = 1; j <= n; j++) {
        if (j === i) continue;
        c += Math.abs(a[j]![i]!);
        r += Math.abs(a[i]![j]!);
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
        for (let j = 1; j <= n; j++) a[i]![j]! /= f;
        for (let j = 1; j <= n; j++) a[j]![i]! *= f;
      }
    }
  }
}

const sign = (a: number, b: number) => (b >= 0 ? Math.abs(a) : -Math.abs(a));

/** The eigenvalues of the upper Hessenberg matrix `a` (1-based, n × n; destroyed). */
function hqr(a: number[][], n: number): Complex[] {
  const wr = new Array<number>(n + 1).fill(0);
  const wi = new Array<number>(n + 1).fill(0);
  let anorm = 0;
  for (let i = 1; i <= n; i++) for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i]![j]!);
  let nn = n;
  let t = 0;
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l >= 2; l--) {
        s = Math.abs(a[l - 1]![l - 1]!) + Math.abs(a[l]![l]!);
        if (s === 0) s = anorm;
        if (Math.abs(a[l]![l - 1]!) + s === s) {
          a[l]![l - 1] = 0;
          break;
        }
      }
      x = a[nn]![nn]!;
      if (l === nn) {
        // One root found.
        wr[nn] = x + t;
        wi[nn--] = 0;
      } else {
        y = a[nn - 1]![nn - 1]!;
        w = a[nn]![nn - 1]! * a[nn - 1]![nn]!;
        if (l === nn - 1) {
          // Two roots found: a real pair or a conjugate pair.
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + sign(z, p);
            wr[nn - 1] = wr[nn] = x + z;
            if (z !== 0) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = -(wi[nn] = z);
          }
          nn -= 2;
        } else {
          if (its === 60) throw new RangeError('the polynomial roots did not converge');
          if (its === 10 || its === 20) {
            // Exceptional shift.
            t += x;
            for (let i = 1; i <= nn; i++) a[i]![i]! -= x;
            s = Math.abs(a[nn]![nn - 1]!) + Math.abs(a[nn - 1]![nn - 2]!);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m]![m]!;
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[m + 1]![m]! + a[m]![m + 1]!;
            q = a[m + 1]![m + 1]! - z - r - s;
            r = a[m + 2]![m + 1]!;
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m]![m - 1]!) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[m - 1]![m - 1]!) + Math.abs(z) + Math.abs(a[m + 1]![m + 1]!));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i]![i - 2] = 0;
            if (i !== m + 2) a[i]![i - 3] = 0;
          }
          // A double QR step on rows l..nn and columns m..nn.
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k]![k - 1]!;
              q = a[k + 1]![k - 1]!;
              r = 0;
              if (k !== nn - 1) r = a[k + 2]![k - 1]!;
              if ((x = Math.abs(p) + Math.abs(q) + Math.abs(r)) !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            if ((s = sign(Math.sqrt(p * p + q * q + r * r), p)) !== 0) {
              if (k === m) {
                if (l !== m) a[k]![k - 1] = -a[k]![k - 1]!;
              } else {
                a[k]![k - 1] = -s * x;
              }
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k]![j]! + q * a[k + 1]![j]!;
                if (k !== nn - 1) {
                  p += r * a[k + 2]![j]!;
                  a[k + 2]![j]! -= p * z;
                }
                a[k + 1]![j]! -= p * y;
                a[k]![j]! -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i]![k]! + y * a[i]![k + 1]!;
                if (k !== nn - 1) {
                  p += z * a[i]![k + 2]!;
                  a[i]![k + 2]! -= p * r;
                }
                a[i]![k + 1]! -= p * q;
                a[i]![k]! -= p;
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return Array.from({ length: n }, (_, i) => complex(wr[i + 1]!, wi[i + 1]!));
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
    // The companion matrix, 1-based: first row −c[1..n]/c[0], ones below the diagonal.
    const a = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
    for (let j = 1; j <= n; j++) a[1]![j] = -c[j]! / c[0]!;
    for (let i = 2; i <= n; i++) a[i]![i - 1] = 1;
    balance(a, n);
    found.push(...hqr(a, n));
  }
  for (let i = 0; i < atZero; i++) found.push(complex(0));
  return found;
}
