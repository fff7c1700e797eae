import { defineReference } from '../reference.ts';

/** The recurrence per channel in float64 (only the output rounding separates the kernel). */
function directIntegrate(input: Float32Array, channels: number, alpha: number): Float64Array {
  const out = new Float64Array(input.length);
  for (let c = 0; c < channels; c++) {
    let y = 0;
    for (let i = c; i < input.length; i += channels) {
      y = alpha * y + input[i]!;
      out[i] = y;
    }
  }
  return out;
}

export const reference = defineReference('integrate', {
  // A running sum (alpha = 1: the DC signal reaches 5e8), a short and a long leak.
  cases: [{}, { alpha: 0.5 }, { alpha: 0.999 }],
  definition: (input, channels, { alpha }) => directIntegrate(input, channels, alpha),
  definitionBound: 1e-7,
  bench: {
    options: { alpha: 0.99 },
    plain: ({ alpha }, channels) => {
      const y = new Float64Array(channels);
      return (input, output) => {
        for (let c = 0; c < channels; c++) {
          let v = y[c]!;
          for (let i = c; i < input.length; i += channels) {
            v = alpha * v + input[i]!;
            output[i] = v;
          }
          y[c] = v;
        }
      };
    },
  },
});
