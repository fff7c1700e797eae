import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { WindowSumsKernel } from '../families/windowed-stats/window-sums.kernel.ts';
import { windowOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const meanAbsolute = defineStage({
  name: 'meanAbsolute',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new WindowSumsKernel(channels, window, 'meanAbsolute'),
  exactness: bitExact,
  doc: {
    formula: '`mean(|x[k]|)` over the movingAverage window',
    state: 'f64 count; per channel f64 running Σ|x| (recomputed from the window every max(65,536, W) samples); ring of W f32 frames',
    simd: 'channels in float64 lanes',
  },
});
