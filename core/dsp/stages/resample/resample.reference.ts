import { directUpfirdn, plainStuffFilterKeep } from '../families/rate/rate.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('resample', {
  // 3/2: the default 61 Kaiser taps (phases of 21 and 20, a fractional first-output offset);
  // 4/6, reduced to 2/3, with 30 taps (phases of 15: a stride of 3); 160/147 (44.1 → 48 kHz) with
  // 320 taps (phases of 2: up much larger than the taps per phase).
  cases: [{ up: 3, down: 2 }, { up: 4, down: 6, taps: 30 }, { up: 160, down: 147, taps: 320 }],
  definition: (input, channels, { up, down, coefficients }) => directUpfirdn(input, channels, coefficients, up, down),
  definitionBound: 1e-7,
  bench: {
    options: { up: 3, down: 2 },
    plain: ({ up, down, coefficients }, channels) => plainStuffFilterKeep(coefficients, up, down, channels),
  },
});
