import { directStatistic, plainMomentsLoop } from '../families/windowed-stats/windowed-stats.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('zScore', {
  // Short and long windows, with and without the current sample; epsilon 0.5 floors the deviation
  // of the windows of every signal but noise and huge.
  cases: [{ window: 5 }, { window: 20, excludeCurrent: true }, { window: 64, epsilon: 0.5 }],
  definition: (input, channels, params) => directStatistic(input, channels, params.window, 'zScore', params),
  definitionBound: 1e-6,
  bench: {
    options: { window: 20, excludeCurrent: true },
    plain: ({ window, excludeCurrent, epsilon }, channels) => plainMomentsLoop(window, channels, 'zScore', excludeCurrent, epsilon),
  },
});
