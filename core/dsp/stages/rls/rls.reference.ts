import { adaptiveInput } from '../families/adaptive-filter/adaptive-filter.reference.ts';
import { defineReference } from '../reference.ts';
import type { RlsParams } from './rls.kernel.ts';

/**
 * RLS as textbooks write it (Haykin): π = P·u, γ = λ + uᵀπ, e = d − wᵀu, w += (π/γ)·e,
 * P = (P − ππᵀ/γ)/λ, with the same guards as the stage (reset on a non-positive uᵀπ or diagonal,
 * trace capped at L/δ, frames with a non-finite x or d skipped). It writes ππᵀ, not k·uᵀP: the
 * textbook's k·uᵀP loses P's symmetry to rounding, and with λ < 1 that error grows (it drifted 1e-3
 * relative from this stage within 3,000 frames of noise; the symmetric forms agree to 1e-12).
 */
function directRls(input: Float32Array, { taps: L, lambda, delta }: RlsParams): Float64Array {
  const frames = input.length / 2;
  const out = new Float64Array(frames);
  const identity = () => Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => (i === j ? 1 / delta : 0)));
  let P = identity();
  const w = new Array<number>(L).fill(0);
  const cap = L / delta;
  for (let n = 0; n < frames; n++) {
    const u = Array.from({ length: L }, (_, i) => (n - i >= 0 ? input[2 * (n - i)]! : 0));
    const e = input[2 * n + 1]! - w.reduce((acc, wi, i) => acc + wi * u[i]!, 0);
    const Pu = () => P.map((row) => row.reduce((acc, v, j) => acc + v * u[j]!, 0));
    let pu = Pu();
    let q = u.reduce((acc, v, i) => acc + v * pu[i]!, 0);
    if (!(q >= 0 && q < Infinity)) {
      P = identity();
      pu = Pu();
      q = u.reduce((acc, v, i) => acc + v * pu[i]!, 0);
    }
    if (q >= 0 && q < Infinity && Number.isFinite(e)) {
      const gamma = lambda + q;
      pu.forEach((v, i) => (w[i] = w[i]! + (v / gamma) * e));
      P = P.map((row, i) => row.map((v, j) => (v - (pu[i]! * pu[j]!) / gamma) / lambda));
      const trace = P.reduce((acc, row, i) => acc + row[i]!, 0);
      if (P.some((row, i) => !(row[i]! > 0)) || !Number.isFinite(trace)) P = identity();
      else if (trace > cap) P = P.map((row) => row.map((v) => (v * cap) / trace));
    }
    out[n] = e;
  }
  return out;
}

export const reference = defineReference('rls', {
  // One tap without forgetting; 8 taps (whole vectors) forgetting fast from a strong start; 33 taps
  // (a tail after the vectors) from a weak start (delta 100).
  cases: [
    { taps: 1, lambda: 1, delta: 1 },
    { taps: 8, lambda: 0.99, delta: 0.01 },
    { taps: 33, lambda: 0.95, delta: 100 },
  ],
  definition: (input, _channels, params) => directRls(input, params),
  definitionBound: 1e-5,
  input: (signal) => adaptiveInput(signal),
  skipSignals: {
    huge: 'the reference power (1e60) is 60 orders of magnitude above 1/delta: the first update of P cancels 1 − (1 − 1e-60) to rounding, so two float64 implementations differ from there on (delta must be scaled to the data)',
  },
  bench: {
    options: { taps: 32, lambda: 0.999, delta: 0.01 },
    plain: ({ taps: L, lambda, delta }) => {
      const w = new Float64Array(L);
      const u = new Float64Array(L);
      const P = new Float64Array(L * L);
      const pu = new Float64Array(L);
      for (let i = 0; i < L; i++) P[i * L + i] = 1 / delta;
      return (input, output) => {
        const frames = input.length / 2;
        for (let n = 0; n < frames; n++) {
          for (let i = L - 1; i > 0; i--) u[i] = u[i - 1]!;
          u[0] = input[2 * n]!;
          let y = 0;
          for (let i = 0; i < L; i++) y += w[i]! * u[i]!;
          const e = input[2 * n + 1]! - y;
          let q = 0;
          for (let i = 0; i < L; i++) {
            let acc = 0;
            for (let j = 0; j < L; j++) acc += P[i * L + j]! * u[j]!;
            pu[i] = acc;
            q += u[i]! * acc;
          }
          const g = 1 / (lambda + q);
          for (let i = 0; i < L; i++) w[i] = w[i]! + pu[i]! * g * e;
          for (let i = 0; i < L; i++) {
            for (let j = 0; j < L; j++) P[i * L + j] = (P[i * L + j]! - pu[i]! * pu[j]! * g) / lambda;
          }
          output[n] = e;
        }
      };
    },
  },
});
