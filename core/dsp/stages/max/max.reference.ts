import { directStatistic, plainExtremaLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('max', {
  // 7: several blocks per call of the suite; 64: blocks longer than most calls (min takes window 1).
  cases: [{ window: 7 }, { window: 64 }],
  definition: (input, channels, { window }) => directStatistic(input, channels, window, 'max'),
  definitionBound: 0,
  bench: {
    options: { window: 20 },
    plain: ({ window }, channels) => plainExtremaLoop(window, channels, 'max'),
  },
});
