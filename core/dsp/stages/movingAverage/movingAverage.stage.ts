import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { MovingWindowKernel } from '../families/moving-window/moving-window.kernel.ts';
import { windowOptions } from '../families/moving-window/moving-window.options.ts';

export const movingAverage = defineStage({
  name: 'movingAverage',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new MovingWindowKernel(channels, window, false),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = mean(x[max(0, n−W+1) … n])`, causal, warming up over the samples seen so far',
    state: 'per channel: f64 count, f64 running sum (recomputed from the window every 65,536 samples), ring of W f32',
    simd: 'channels in float64 lanes; one channel: prefix scan of blocks proven exact, else the recursion in order',
  },
});
