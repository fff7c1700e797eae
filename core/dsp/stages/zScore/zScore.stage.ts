import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { MomentsKernel } from '../families/windowed-stats/moments.kernel.ts';
import { zScoreOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const zScore = defineStage({
  name: 'zScore',
  stateVersion: 0,
  options: zScoreOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window, excludeCurrent, epsilon }, channels) => new MomentsKernel(channels, window, 'zScore', excludeCurrent, epsilon),
  exactness: bitExact,
  doc: {
    formula:
      '`(x[n] − m) / max(s, epsilon)`, `m` and `s` the mean and population standard deviation of the last W samples including x[n], or with `excludeCurrent` the W samples before it (a key\'s first sample gives 0)',
    state: 'as variance',
    simd: 'channels in float64 lanes; one channel: consecutive outputs in float64 lanes',
  },
});
