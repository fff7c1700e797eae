import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { MovingWindowKernel } from '../families/moving-window/moving-window.kernel.ts';
import { windowOptions } from '../families/moving-window/moving-window.options.ts';

export const rms = defineStage({
  name: 'rms',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new MovingWindowKernel(channels, window, true),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = sqrt(mean(x[k]²))` over the same window as movingAverage',
    state: 'per channel: f64 count, f64 running sum of squares (W ≤ 8: none, each output sums its own window), ring of W f32',
    simd: 'W ≤ 8: consecutive outputs in float64 lanes; else as movingAverage',
  },
});
