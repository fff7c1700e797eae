import { directCumulativeAverage, plainCumulativeAverageLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('cumulativeAverage', {
  cases: [{}],
  definition: (input, channels) => directCumulativeAverage(input, channels),
  definitionBound: 1e-6,
  bench: {
    options: {},
    plain: (_params, channels) => plainCumulativeAverageLoop(channels),
  },
});
