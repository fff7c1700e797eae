import * as z from 'zod';
import { bitExact, defineStage, sameRate } from '../descriptor.ts';
import { windowChannels, windowOption } from '../families/window-features/window-features.options.ts';
import { TermWindowKernel } from '../families/window-features/term-window.kernel.ts';

export const waveformLength = defineStage({
  name: 'waveformLength',
  stateVersion: 0,
  options: z.strictObject({ window: windowOption }),
  channels: windowChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new TermWindowKernel('waveformLength', channels, window, 0),
  exactness: bitExact,
  doc: {
    formula:
      '`y[n] = Σ |x[k] − x[k−1]|` over the last W samples k (fewer while warming up; the key\'s first sample adds 0), in float64',
    state: 'f64 count, per channel the last W + 1 samples (f32); sums derive from them (blocks of W, no running sum)',
    simd: 'channels in float64 lanes',
  },
});
