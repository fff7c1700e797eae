import * as z from 'zod';
import { bitExact, defineStage, sameRate } from '../descriptor.ts';
import { windowChannels, windowOption } from '../families/window-features/window-features.options.ts';
import { TermWindowKernel } from '../families/window-features/term-window.kernel.ts';

export const willisonAmplitude = defineStage({
  name: 'willisonAmplitude',
  stateVersion: 0,
  options: z.strictObject({
    window: windowOption,
    threshold: z.number().min(0).finite().describe('a step |x[k] − x[k−1]| at least this large counts'),
  }),
  channels: windowChannels,
  rate: sameRate,
  kernel: ({ window, threshold }, channels) => new TermWindowKernel('willisonAmplitude', channels, window, threshold),
  exactness: bitExact,
  doc: {
    formula:
      '`y[n]` = how many of the last W samples k (fewer while warming up; not the key\'s first) have `|x[k] − x[k−1]| ≥ threshold` (the difference in float64)',
    state: 'as waveformLength',
    simd: 'channels in float64 lanes',
  },
});
