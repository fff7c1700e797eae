import { defineReference } from '../reference.ts';

export const reference = defineReference('diff', {
  cases: [{}],
  definition: (input, channels) => Float64Array.from(input, (x, i) => x - (i >= channels ? input[i - channels]! : 0)),
  definitionBound: 1e-7,
  bench: {
    options: {},
    plain: (_params, channels) => {
      const previous = new Float32Array(channels);
      return (input, output) => {
        for (let c = 0; c < channels; c++) {
          let p = previous[c]!;
          for (let i = c; i < input.length; i += channels) {
            output[i] = input[i]! - p;
            p = input[i]!;
          }
          previous[c] = p;
        }
      };
    },
  },
});
