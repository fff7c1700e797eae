import { directStatistic, plainMomentsLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('variance', {
  // 1: always 0; 2: two samples, as close as the noise makes them (the shift keeps that exact),
  // many blocks per call of the suite; 100: blocks longer than most calls.
  cases: [{ window: 1 }, { window: 2 }, { window: 100 }],
  definition: (input, channels, { window }) => directStatistic(input, channels, window, 'variance'),
  definitionBound: 1e-6,
  bench: {
    options: { window: 20 },
    plain: ({ window }, channels) => plainMomentsLoop(window, channels, 'variance'),
  },
});
