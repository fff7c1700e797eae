import { directStatistic, plainMeanAbsoluteLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('meanAbsolute', {
  // 1: |x| itself; 64: blocks longer than most calls of the suite.
  cases: [{ window: 1 }, { window: 64 }],
  definition: (input, channels, { window }) => directStatistic(input, channels, window, 'meanAbsolute'),
  definitionBound: 1e-6,
  bench: {
    options: { window: 20 },
    plain: ({ window }, channels) => plainMeanAbsoluteLoop(window, channels),
  },
});
