import { defineReference } from '../reference.ts';

/** The filter straight from its equations, channel by channel, in float64. */
function directKalman(input: Float32Array, channels: number, q: number, r: number, p0: number): Float64Array {
  const out = new Float64Array(input.length);
  for (let c = 0; c < channels; c++) {
    let x = 0;
    let p = p0;
    for (let i = c, n = 0; i < input.length; i += channels, n++) {
      const z = input[i]!;
      if (n === 0) {
        x = z;
      } else {
        const prior = p + q;
        const gain = prior / (prior + r);
        x += gain * (z - x);
        p = prior * (1 - gain);
      }
      out[i] = x;
    }
  }
  return out;
}

export const reference = defineReference('kalman', {
  // A GPS-like tracker (q ≪ r), a gain that settles near 1 (q ≫ r), and q = 0 with a zero initial
  // error (a frozen level: K = 0 from the start).
  cases: [
    { processNoise: 1e-4, measurementNoise: 0.5 },
    { processNoise: 10, measurementNoise: 0.1, initialError: 100 },
    { processNoise: 0, measurementNoise: 1, initialError: 0 },
  ],
  definition: (input, channels, { processNoise, measurementNoise, initialError }) =>
    directKalman(input, channels, processNoise, measurementNoise, initialError),
  definitionBound: 1e-6,
  bench: {
    options: { processNoise: 1e-3, measurementNoise: 0.5 },
    plain: ({ processNoise: q, measurementNoise: r, initialError }, channels) => {
      const x = new Float64Array(channels);
      const p = new Float64Array(channels).fill(initialError);
      let first = true;
      return (input, output) => {
        for (let c = 0; c < channels; c++) {
          let xc = first ? input[c]! : x[c]!;
          let pc = p[c]!;
          for (let i = first ? c + channels : c; i < input.length; i += channels) {
            pc += q;
            const k = pc / (pc + r);
            xc += k * (input[i]! - xc);
            pc *= 1 - k;
            output[i] = xc;
          }
          if (first) output[c] = input[c]!;
          x[c] = xc;
          p[c] = pc;
        }
        first = false;
      };
    },
  },
});
