import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { MomentsKernel } from '../families/windowed-stats/moments.kernel.ts';
import { windowOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const stddev = defineStage({
  name: 'stddev',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new MomentsKernel(channels, window, 'stddev'),
  exactness: bitExact,
  doc: {
    formula: '`sqrt(variance)` over the same window',
    state: 'as variance',
    simd: 'channels in float64 lanes; one channel: consecutive outputs in float64 lanes',
  },
});
