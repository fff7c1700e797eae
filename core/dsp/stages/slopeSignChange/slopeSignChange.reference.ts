import { directTermWindow, plainTermLoop } from '../families/window-features/window-features.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('slopeSignChange', {
  // 2: the shortest window, whose terms reach back past it (threshold 0 counts flat runs too: the
  // zeros signal); 0.01 ignores small wiggles, over a window longer than most calls.
  cases: [{ window: 2 }, { window: 100, threshold: 0.01 }],
  definition: (input, channels, { window, threshold }) => directTermWindow('slopeSignChange', input, channels, window, threshold),
  definitionBound: 0,
  bench: {
    options: { window: 128, threshold: 1e-4 },
    plain: ({ window, threshold }, channels) => plainTermLoop('slopeSignChange', window, threshold, channels),
  },
});
