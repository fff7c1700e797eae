import { directWindow, plainWindowLoop } from '../families/moving-window/moving-window.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('movingAverage', {
  // 1: the output is the input; 10: the common case; 64: longer than most chunks of the suite.
  cases: [{ window: 1 }, { window: 10 }, { window: 64 }],
  definition: (input, channels, { window }) => directWindow(input, channels, window, false),
  definitionBound: 1e-6,
  bench: {
    options: { window: 10 },
    plain: ({ window }, channels) => plainWindowLoop(window, channels, false),
  },
});
