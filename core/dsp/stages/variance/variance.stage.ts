import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { MomentsKernel } from '../families/windowed-stats/moments.kernel.ts';
import { windowOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const variance = defineStage({
  name: 'variance',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new MomentsKernel(channels, window, 'variance'),
  exactness: bitExact,
  doc: {
    formula: 'population variance `mean((x[k] − m)²)`, `m` the mean, over the movingAverage window (the last W samples, warming up)',
    state: 'f64 count, ring of W f32 frames (the block sums are rebuilt from it on restore; memory per channel: 20 bytes per sample of window)',
    simd: 'channels in float64 lanes; one channel: consecutive outputs in float64 lanes',
  },
});
