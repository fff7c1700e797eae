import { directStatistic, plainMomentsLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('stddev', {
  // variance's code with a square root: a short and a long window.
  cases: [{ window: 3 }, { window: 50 }],
  definition: (input, channels, { window }) => directStatistic(input, channels, window, 'stddev'),
  definitionBound: 1e-6,
  bench: {
    options: { window: 20 },
    plain: ({ window }, channels) => plainMomentsLoop(window, channels, 'stddev'),
  },
});
