import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { MeanAbsoluteKernel } from '../families/windowed-stats/mean-absolute.kernel.ts';
import { windowOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const meanAbsolute = defineStage({
  name: 'meanAbsolute',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new MeanAbsoluteKernel(channels, window),
  exactness: bitExact,
  doc: {
    formula: '`mean(|x[k]|)` over the movingAverage window',
    state: 'as variance (memory per channel: 12 bytes per sample of window)',
    simd: 'channels in float64 lanes; one channel: consecutive outputs in float64 lanes',
  },
});
