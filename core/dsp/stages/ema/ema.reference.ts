import { defineReference } from '../reference.ts';

/** The recurrence written per channel in float64 (only the output rounding separates the kernel). */
function directEma(input: Float32Array, channels: number, alpha: number): Float64Array {
  const out = new Float64Array(input.length);
  for (let c = 0; c < channels; c++) {
    let y = 0;
    for (let i = c, n = 0; i < input.length; i += channels, n++) {
      y = n === 0 ? input[i]! : y + alpha * (input[i]! - y);
      out[i] = y;
    }
  }
  return out;
}

export const reference = defineReference('ema', {
  // 1: y follows x exactly; 0.1 and 1e-3: short and long memories.
  cases: [{ alpha: 1 }, { alpha: 0.1 }, { alpha: 1e-3 }],
  definition: (input, channels, { alpha }) => directEma(input, channels, alpha),
  definitionBound: 1e-6,
  bench: {
    options: { alpha: 0.05 },
    plain: ({ alpha }, channels) => {
      const y = new Float64Array(channels);
      let first = true;
      return (input, output) => {
        for (let c = 0; c < channels; c++) {
          let v = first ? input[c]! : y[c]!;
          for (let i = c; i < input.length; i += channels) {
            v += alpha * (input[i]! - v);
            output[i] = v;
          }
          y[c] = v;
        }
        first = false;
      };
    },
  },
});
