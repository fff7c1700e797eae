import type { AdaptiveFilterParams } from './adaptive-filter.kernel.ts';

/** Echo path the test input's d channel is made with: d = h * x + a little of the other channel. */
const H = [0.8, -0.4, 0.25, 0.1, -0.05];

/** [x, d] frames from a 2-channel suite signal: x is channel 0, d = h * x + 1 % of channel 1. */
export function adaptiveInput(signal: Float32Array): Float32Array {
  const frames = signal.length / 2;
  const out = new Float32Array(signal.length);
  for (let n = 0; n < frames; n++) {
    let d = 0;
    for (let k = 0; k < H.length && k <= n; k++) d += H[k]! * signal[2 * (n - k)]!;
    out[2 * n] = signal[2 * n]!;
    out[2 * n + 1] = d + 0.01 * signal[2 * n + 1]!;
  }
  return out;
}

/**
 * NLMS (normalised) or LMS straight from the update rule, with the weights rounded to float32 after
 * each update as the stage keeps them: e[n] = d[n] − w·xv, w += mu e xv / (eps + xv·xv).
 */
export function directAdaptiveFilter(input: Float32Array, { taps, mu, eps }: AdaptiveFilterParams, normalised: boolean): Float64Array {
  const frames = input.length / 2;
  const w = new Float64Array(taps);
  const e = new Float64Array(frames);
  for (let n = 0; n < frames; n++) {
    const xv = Array.from({ length: taps }, (_, i) => (n - i >= 0 ? input[2 * (n - i)]! : 0));
    const y = xv.reduce((acc, v, i) => acc + w[i]! * v, 0);
    e[n] = input[2 * n + 1]! - y;
    const norm = normalised ? eps + xv.reduce((acc, v) => acc + v * v, 0) : 1;
    for (let i = 0; i < taps; i++) w[i] = Math.fround(w[i]! + (mu * e[n]! * xv[i]!) / norm);
  }
  return e;
}

/** The textbook loop: float64 weights, the history shifted every sample. */
export function plainAdaptiveLoop({ taps, mu, eps }: AdaptiveFilterParams, normalised: boolean): (input: Float32Array, output: Float32Array) => void {
  const w = new Float64Array(taps);
  const xv = new Float64Array(taps);
  return (input, output) => {
    const frames = input.length / 2;
    for (let n = 0; n < frames; n++) {
      for (let i = taps - 1; i > 0; i--) xv[i] = xv[i - 1]!;
      xv[0] = input[2 * n]!;
      let y = 0;
      let energy = 0;
      for (let i = 0; i < taps; i++) {
        y += w[i]! * xv[i]!;
        energy += xv[i]! * xv[i]!;
      }
      const e = input[2 * n + 1]! - y;
      const step = normalised ? (mu * e) / (eps + energy) : mu * e;
      for (let i = 0; i < taps; i++) w[i] = w[i]! + step * xv[i]!;
      output[n] = e;
    }
  };
}
