import { defineStage, fixedChannels, sameRate } from '../descriptor.ts';
import { AdaptiveFilterKernel } from '../families/adaptive-filter/adaptive-filter.kernel.ts';
import { adaptiveExactness, adaptiveOptions } from '../families/adaptive-filter/adaptive-filter.options.ts';

export const nlms = defineStage({
  name: 'nlms',
  stateVersion: 0,
  options: adaptiveOptions,
  channels: fixedChannels(2, 1, '[x0, d0, x1, d1, …]'),
  rate: sameRate,
  kernel: (params) => new AdaptiveFilterKernel(params, true),
  exactness: adaptiveExactness,
  doc: {
    formula:
      'input `[x0, d0, x1, d1, …]` (x reference noise, d noisy signal); `xv = [x[n] … x[n−L+1]]` (zeros before the first sample), `y = w·xv`, `e = d[n] − y`, `w += mu·e·xv / (eps + xv·xv)`; output `e[n]`',
    state: 'f64 count, L f32 weights, L f32 history (newest first)',
    simd: 'dot products over the taps in float64 lanes (AVX2 fuses the weight update with the next dot products)',
  },
});
