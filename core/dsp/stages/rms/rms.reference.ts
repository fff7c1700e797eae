import { directWindow, plainWindowLoop } from '../families/moving-window/moving-window.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('rms', {
  // 1 and 8: the direct sums (W ≤ 8); 9 and 64: the running sum of squares.
  cases: [{ window: 1 }, { window: 8 }, { window: 9 }, { window: 64 }],
  definition: (input, channels, { window }) => directWindow(input, channels, window, true),
  definitionBound: 1e-6,
  bench: {
    options: { window: 5 },
    plain: ({ window }, channels) => plainWindowLoop(window, channels, true),
  },
});
