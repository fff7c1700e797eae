import { directUpfirdn, plainFilterThenKeep, plainKeptOnly } from '../families/rate/rate.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('decimate', {
  // factor 4: the default 81 taps (ten 8-tap blocks and a tail of 1); factor 3 with 16 Blackman taps
  // (blocks only); factor 700 with 5 rectangular taps (tail only, and a kept sample only every few
  // calls, so the phase crosses most splits).
  cases: [{ factor: 4 }, { factor: 3, taps: 16, window: 'blackman' }, { factor: 700, taps: 5, window: 'rectangular' }],
  definition: (input, channels, { factor, coefficients }) => directUpfirdn(input, channels, coefficients, 1, factor),
  definitionBound: 1e-7,
  bench: {
    options: { factor: 4 },
    plain: ({ factor, coefficients }, channels) => plainFilterThenKeep(coefficients, factor, channels),
    alternatives: [
      { label: 'a plain loop computing only the kept outputs', plain: ({ factor, coefficients }, channels) => plainKeptOnly(coefficients, factor, channels) },
    ],
  },
});
