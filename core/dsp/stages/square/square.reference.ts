import { asFloat32Output } from '../families/elementwise/elementwise.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('square', {
  cases: [{}],
  // The huge signal (±1e30) squares past the float32 range: the output is ±Infinity there.
  definition: (input) => Float64Array.from(input, (x) => asFloat32Output(x * x)),
  definitionBound: 1e-7,
  bench: {
    options: {},
    plain: () => (input, output) => {
      for (let i = 0; i < input.length; i++) output[i] = input[i]! * input[i]!;
    },
  },
});
