import { defineStage, fixedChannels, sameRate } from '../descriptor.ts';
import { AdaptiveFilterKernel } from '../families/adaptive-filter/adaptive-filter.kernel.ts';
import { adaptiveExactness, adaptiveOptions } from '../families/adaptive-filter/adaptive-filter.options.ts';

export const lms = defineStage({
  name: 'lms',
  stateVersion: 0,
  options: adaptiveOptions,
  channels: fixedChannels(2, 1, '[x0, d0, x1, d1, …]'),
  rate: sameRate,
  kernel: (params) => new AdaptiveFilterKernel(params, false),
  exactness: adaptiveExactness,
  doc: {
    formula: 'as nlms without the normalisation: `w += mu·e·xv` (`eps` is accepted and ignored)',
    state: 'as nlms',
    simd: 'as nlms',
  },
});
