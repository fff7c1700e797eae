import { directSlope, plainSlopeLoop } from '../families/window-features/window-features.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('linearSlope', {
  // 2: differences of neighbours; 9: short blocks; 1000: a warm-up and blocks spanning calls.
  cases: [{ window: 2 }, { window: 9 }, { window: 1000 }],
  definition: (input, channels, { window }) => directSlope(input, channels, window),
  definitionBound: 1e-7,
  bench: {
    options: { window: 128 },
    plain: ({ window }, channels) => plainSlopeLoop(window, channels),
  },
});
