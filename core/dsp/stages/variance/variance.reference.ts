import { directStatistic, plainMomentsLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('variance', {
  // 1 and 8: each output from its own window (1: always 0); 9: the shortest running-sum window;
  // 100: longer than most calls of the suite.
  cases: [{ window: 1 }, { window: 8 }, { window: 9 }, { window: 100 }],
  definition: (input, channels, { window }) => directStatistic(input, channels, window, 'variance'),
  definitionBound: 1e-6,
  bench: {
    options: { window: 20 },
    plain: ({ window }, channels) => plainMomentsLoop(window, channels, 'variance'),
  },
});
