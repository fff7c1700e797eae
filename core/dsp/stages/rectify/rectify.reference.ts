import { defineReference } from '../reference.ts';

export const reference = defineReference('rectify', {
  // The two modes are the two code paths.
  cases: [{ mode: 'full' }, { mode: 'half' }],
  definition: (input, _channels, { mode }) => Float64Array.from(input, (x) => (mode === 'full' ? Math.abs(x) : Math.max(x, 0))),
  definitionBound: 0,
  bench: {
    options: { mode: 'full' },
    plain: () => (input, output) => {
      for (let i = 0; i < input.length; i++) output[i] = Math.abs(input[i]!);
    },
  },
});
