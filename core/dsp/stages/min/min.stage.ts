import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { ExtremaKernel } from '../families/windowed-stats/extrema.kernel.ts';
import { windowOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const min = defineStage({
  name: 'min',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new ExtremaKernel(channels, window, 'min'),
  exactness: bitExact,
  doc: {
    formula: '`min(x[max(0, n−W+1) … n])`, three comparisons per sample',
    state: 'as variance (memory per channel: 8 bytes per sample of window)',
    simd: 'channels in float64 lanes',
  },
});
