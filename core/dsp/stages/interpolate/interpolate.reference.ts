import { directUpfirdn, plainStuffFilterKeep } from '../families/rate/rate.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('interpolate', {
  // factor 2: the default 41 taps (phases of 21 and 20: blocks and tails); factor 3 with 10 taps
  // (phases of 4, 3, 3: tails only, unequal); factor 16 with 40 taps (phases of 3 and 2, sixteen
  // outputs per input sample).
  cases: [{ factor: 2 }, { factor: 3, taps: 10 }, { factor: 16, taps: 40 }],
  definition: (input, channels, { factor, coefficients }) => directUpfirdn(input, channels, coefficients, factor, 1),
  definitionBound: 1e-7,
  bench: {
    options: { factor: 4 },
    plain: ({ factor, coefficients }, channels) => plainStuffFilterKeep(coefficients, factor, 1, channels),
  },
});
