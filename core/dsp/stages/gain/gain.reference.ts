import { defineReference } from '../reference.ts';

export const reference = defineReference('gain', {
  // A plain scale, a negative fraction (rounding in every product) and a small factor (subnormal
  // outputs from the tiny signal).
  cases: [{ factor: 2 }, { factor: -0.37 }, { factor: 1e-3 }],
  definition: (input, _channels, { factor }) => Float64Array.from(input, (x) => x * factor),
  definitionBound: 1e-7,
  bench: {
    options: { factor: 0.5 },
    plain: ({ factor }) => (input, output) => {
      for (let i = 0; i < input.length; i++) output[i] = input[i]! * factor;
    },
  },
});
