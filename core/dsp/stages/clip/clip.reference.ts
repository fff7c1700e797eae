import { defineReference } from '../reference.ts';

export const reference = defineReference('clip', {
  // Symmetric bounds inside the noise and sine; bounds that are not float32 values (0.1, 1e5 + 0.3:
  // the DC signal straddles both); a single point (min = max).
  cases: [
    { min: -0.5, max: 0.5 },
    { min: 0.1, max: 1e5 + 0.3 },
    { min: 0, max: 0 },
  ],
  definition: (input, _channels, { min, max }) => Float64Array.from(input, (x) => (x < min ? min : x > max ? max : x)),
  definitionBound: 1e-7,
  bench: {
    options: { min: -0.5, max: 0.5 },
    plain: ({ min, max }) => (input, output) => {
      for (let i = 0; i < input.length; i++) output[i] = Math.min(max, Math.max(min, input[i]!));
    },
  },
});
