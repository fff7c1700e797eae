import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { ExtremaKernel } from '../families/windowed-stats/extrema.kernel.ts';
import { windowOptions } from '../families/windowed-stats/windowed-stats.options.ts';

export const max = defineStage({
  name: 'max',
  stateVersion: 0,
  options: windowOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new ExtremaKernel(channels, window, 'max'),
  exactness: bitExact,
  doc: {
    formula: '`max(x[max(0, n−W+1) … n])`, O(1) per sample (van Herk / Gil–Werman blocks of W samples)',
    state: 'f64 count, ring of W f32 frames (the block extremes are rebuilt from it on restore)',
    simd: 'channels in float64 lanes',
  },
});
