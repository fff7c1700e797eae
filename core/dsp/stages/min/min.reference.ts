import { directStatistic, plainExtremaLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('min', {
  // 1: x itself; 7: several blocks per call of the suite (max takes the long blocks).
  cases: [{ window: 1 }, { window: 7 }],
  definition: (input, channels, { window }) => directStatistic(input, channels, window, 'min'),
  definitionBound: 0,
  bench: {
    options: { window: 20 },
    plain: ({ window }, channels) => plainExtremaLoop(window, channels, 'min'),
  },
});
