import { ByteReader, ByteWriter } from '../../bytes.ts';
import { SnapshotError } from '../../../errors.ts';
import type { StageKernel } from '../kernel.ts';

export interface RlsParams {
  readonly taps: number;
  readonly lambda: number;
  readonly delta: number;
}

/**
 * Recursive least squares (exponentially weighted) on 2-channel input [x0, d0, x1, d1, …] (x the
 * reference, d the signal); outputs the a priori error e[n] = d[n] − w·u. All float64; per frame,
 * in this order (layers/dsp/src/stages/rls.c performs the same operations in the same order):
 *
 *   1. u = [x[n], x[n−1], …, x[n−L+1]] (zeros before the key's first sample)
 *   2. y = w[0]·u[0] + w[1]·u[1] + … (from 0, in index order);  e = d − y
 *   3. π = P·u, each π[i] = P[0][i]·u[0] + P[1][i]·u[1] + … (rows in order, from the first product)
 *   4. q = u·π (from 0, in index order). If not (0 ≤ q < ∞) P has lost positivity: P = I/δ, redo 3–4
 *   5. if q is valid and e finite:  g = 1/(λ + q);  w[i] += (π[i]·g)·e;
 *      P[i][j] = (P[i][j] − (π[i]·π[j])·g)·(1/λ)   (π[i]·π[j] = π[j]·π[i]: P stays exactly symmetric)
 *   6. t = P[0][0] + P[1][1] + … (from 0): if a diagonal is not > 0 or t is not finite, P = I/δ;
 *      else if t > t₀ (the trace of I/δ, summed the same way), P ·= t₀/t
 *
 * 4 and 6 are the guards a long-running RLS needs: rounding can make P indefinite (q < 0), and with
 * λ < 1 a silent reference (x = 0) multiplies P by 1/λ every frame ("covariance windup") until it
 * overflows; capping the trace at its initial value keeps P bounded without touching its
 * direction. A frame with a non-finite x or d outputs its (non-finite) error and leaves w and P
 * alone, so a bad sample costs the L frames whose history holds it, not the filter.
 *
 * State: u32 taps · u32 0 · f64 count · f64 w[L] · f32 u[L] (newest first) · f64 P[i][j] for
 * i ≤ j, row by row (the upper triangle: P is symmetric by construction).
 */
export class RlsKernel implements StageKernel {
  readonly inChannels = 2;
  readonly outChannels = 1;
  private count = 0;
  private readonly taps: number;
  private readonly lambda: number;
  private readonly invLambda: number;
  private readonly diagonal: number;
  private readonly traceCap: number;
  private readonly w: Float64Array;
  private readonly u: Float32Array;
  /** Row-major L × L. */
  private readonly p: Float64Array;
  private readonly pi: Float64Array;

  constructor({ taps, lambda, delta }: RlsParams) {
    this.taps = taps;
    this.lambda = lambda;
    this.invLambda = 1 / lambda;
    this.diagonal = 1 / delta;
    let cap = 0;
    for (let i = 0; i < taps; i++) cap += this.diagonal;
    this.traceCap = cap;
    this.w = new Float64Array(taps);
    this.u = new Float32Array(taps);
    this.p = new Float64Array(taps * taps);
    this.pi = new Float64Array(taps);
    this.reset();
  }

  /** P = I/δ. */
  private reset(): void {
    const L = this.taps;
    this.p.fill(0);
    for (let i = 0; i < L; i++) this.p[i * L + i] = this.diagonal;
  }

  /** π = P·u (rows in order) and q = u·π. */
  private project(): number {
    const { taps: L, p, u, pi } = this;
    const u0 = u[0]!;
    for (let i = 0; i < L; i++) pi[i] = p[i]! * u0;
    for (let j = 1; j < L; j++) {
      const uj = u[j]!;
      const row = j * L;
      for (let i = 0; i < L; i++) pi[i] = pi[i]! + p[row + i]! * uj;
    }
    let q = 0;
    for (let i = 0; i < L; i++) q += u[i]! * pi[i]!;
    return q;
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const { taps: L, lambda, invLambda, w, u, p, pi } = this;
    const frames = input.length >> 1;
    for (let n = 0; n < frames; n++) {
      const x = input[2 * n]!;
      const d = input[2 * n + 1]!;
      u.copyWithin(1, 0, L - 1);
      u[0] = x;
      let y = 0;
      for (let i = 0; i < L; i++) y += w[i]! * u[i]!;
      const e = d - y;
      let q = this.project();
      if (!(q >= 0 && q < Infinity)) {
        this.reset();
        q = this.project();
      }
      if (q >= 0 && q < Infinity && e - e === 0) {
        const g = 1 / (lambda + q);
        for (let i = 0; i < L; i++) w[i] = w[i]! + pi[i]! * g * e;
        for (let i = 0; i < L; i++) {
          const pii = pi[i]!;
          const row = i * L;
          for (let j = 0; j < L; j++) p[row + j] = (p[row + j]! - pii * pi[j]! * g) * invLambda;
        }
        this.bound();
      }
      output[n] = e;
    }
    this.count += frames;
    return frames;
  }

  /** Guard 6: P = I/δ if a diagonal is not > 0 or the trace is not finite; the trace capped at t₀. */
  private bound(): void {
    const { taps: L, p, traceCap } = this;
    let trace = 0;
    let positive = true;
    for (let i = 0; i < L; i++) {
      const v = p[i * L + i]!;
      if (!(v > 0)) positive = false;
      trace += v;
    }
    if (!positive || !(trace < Infinity)) {
      this.reset();
    } else if (trace > traceCap) {
      const scale = traceCap / trace;
      for (let k = 0; k < L * L; k++) p[k] = p[k]! * scale;
    }
  }

  snapshot(): Uint8Array {
    const L = this.taps;
    const out = new ByteWriter(16 + 12 * L + 4 * L * (L + 1)).u32(L).u32(0).f64(this.count);
    for (let i = 0; i < L; i++) out.f64(this.w[i]!);
    out.f32Array(this.u);
    for (let i = 0; i < L; i++) {
      for (let j = i; j < L; j++) out.f64(this.p[i * L + j]!);
    }
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const L = this.taps;
    const input = new ByteReader(state, 'rls state');
    const taps = input.u32();
    input.u32();
    if (taps !== L) throw new SnapshotError(`rls state has ${taps} taps, stage has ${L}`);
    // Everything is read and checked before the state changes, so a refused snapshot leaves it intact.
    const count = input.f64();
    const w = new Float64Array(L);
    for (let i = 0; i < L; i++) w[i] = input.f64();
    const u = new Float32Array(L);
    input.f32Into(u);
    const p = new Float64Array(L * L);
    for (let i = 0; i < L; i++) {
      for (let j = i; j < L; j++) p[i * L + j] = p[j * L + i] = input.f64();
    }
    input.expectEnd();
    if (!(Number.isInteger(count) && count >= 0 && count <= 2 ** 53)) {
      throw new SnapshotError('rls state holds a sample count that is not a whole number >= 0');
    }
    // What guard 6 keeps true after every frame, whatever the input: a positive, finite diagonal.
    for (let i = 0; i < L; i++) {
      const v = p[i * L + i]!;
      if (!(v > 0 && v < Infinity)) throw new SnapshotError('rls state holds an inverse correlation matrix whose diagonal is not finite and > 0');
    }
    this.count = count;
    this.w.set(w);
    this.u.set(u);
    this.p.set(p);
  }
}
