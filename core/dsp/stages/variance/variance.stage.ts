import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { WindowSumsKernel } from '../families/windowed-stats/window-sums.kernel.ts';
import { windowOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const variance = defineStage({
  name: 'variance',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new WindowSumsKernel(channels, window, 'variance'),
  exactness: bitExact,
  doc: {
    formula: 'population variance `mean((x[k] − m)²)`, `m` the mean, over the movingAverage window (the last W samples, warming up)',
    state: 'f64 count; W > 8: per channel f64 shift K, Σ(x−K), Σ(x−K)² (recomputed from the window every max(65,536, W) samples); ring of W f32 frames',
    simd: 'channels in float64 lanes',
  },
});
