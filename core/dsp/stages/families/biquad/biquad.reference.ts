/**
 * What the IIR stages share in tests and benches: the float64 definition (scipy.signal.sosfilt's
 * transposed direct form II, a different structure from the kernel's direct form I, so the suite's
 * comparison means something) and the plain JavaScript loop a user would write.
 */
import type { SectionsParams } from './biquad.options.ts';

/** scipy.signal.sosfilt per channel in float64 (zero initial state). */
export function sosfiltDefinition(input: Float32Array, channels: number, { sections }: SectionsParams): Float64Array {
  const out = new Float64Array(input.length);
  for (let c = 0; c < channels; c++) {
    const z = sections.map(() => [0, 0]);
    for (let i = c; i < input.length; i += channels) {
      let x = input[i]!;
      sections.forEach((s, k) => {
        const zk = z[k]!;
        const y = s.b0 * x + zk[0]!;
        zk[0] = s.b1 * x - s.a1 * y + zk[1]!;
        zk[1] = s.b2 * x - s.a2 * y;
        x = y;
      });
      out[i] = x;
    }
  }
  return out;
}

/**
 * A well-written user loop: cascaded biquads in float64, transposed direct form II, coefficients
 * and state in locals while a block runs (a strided loop per channel), unrolled for the common
 * cases of one section (a notch, an EQ) and two (a 4th-order design), looped otherwise. Copying the coefficients into
 * locals per block also keeps V8 from slowing the loop down when one process makes several such
 * closures (the bench does; a user's function usually has one).
 */
export function plainCascade({ sections }: SectionsParams, channels: number): (input: Float32Array, output: Float32Array) => void {
  const k = Float64Array.from(sections.flatMap((s) => [s.b0, s.b1, s.b2, s.a1, s.a2]));
  const n = sections.length;
  const state = new Float64Array(channels * n * 2);
  if (n === 1) {
    return (input, output) => {
      const b0 = k[0]!, b1 = k[1]!, b2 = k[2]!, a1 = k[3]!, a2 = k[4]!;
      for (let c = 0; c < channels; c++) {
        let z0 = state[2 * c]!, z1 = state[2 * c + 1]!;
        for (let i = c; i < input.length; i += channels) {
          const x = input[i]!;
          const y = b0 * x + z0;
          z0 = b1 * x - a1 * y + z1;
          z1 = b2 * x - a2 * y;
          output[i] = y;
        }
        state[2 * c] = z0;
        state[2 * c + 1] = z1;
      }
    };
  }
  if (n === 2) {
    return (input, output) => {
      const pb0 = k[0]!, pb1 = k[1]!, pb2 = k[2]!, pa1 = k[3]!, pa2 = k[4]!;
      const qb0 = k[5]!, qb1 = k[6]!, qb2 = k[7]!, qa1 = k[8]!, qa2 = k[9]!;
      for (let c = 0; c < channels; c++) {
        let p0 = state[4 * c]!, p1 = state[4 * c + 1]!, q0 = state[4 * c + 2]!, q1 = state[4 * c + 3]!;
        for (let i = c; i < input.length; i += channels) {
          const x = input[i]!;
          const u = pb0 * x + p0;
          p0 = pb1 * x - pa1 * u + p1;
          p1 = pb2 * x - pa2 * u;
          const y = qb0 * u + q0;
          q0 = qb1 * u - qa1 * y + q1;
          q1 = qb2 * u - qa2 * y;
          output[i] = y;
        }
        state[4 * c] = p0;
        state[4 * c + 1] = p1;
        state[4 * c + 2] = q0;
        state[4 * c + 3] = q1;
      }
    };
  }
  return (input, output) => {
    for (let c = 0; c < channels; c++) {
      const z = c * 2 * n;
      for (let i = c; i < input.length; i += channels) {
        let x = input[i]!;
        for (let s = 0; s < n; s++) {
          const y = k[5 * s]! * x + state[z + 2 * s]!;
          state[z + 2 * s] = k[5 * s + 1]! * x - k[5 * s + 3]! * y + state[z + 2 * s + 1]!;
          state[z + 2 * s + 1] = k[5 * s + 2]! * x - k[5 * s + 4]! * y;
          x = y;
        }
        output[i] = x;
      }
    }
  };
}
