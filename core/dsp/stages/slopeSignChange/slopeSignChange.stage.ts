import * as z from 'zod';
import { bitExact, defineStage, sameRate } from '../descriptor.ts';
import { windowChannels, windowOption } from '../families/window-features/window-features.options.ts';
import { TermWindowKernel } from '../families/window-features/term-window.kernel.ts';

export const slopeSignChange = defineStage({
  name: 'slopeSignChange',
  stateVersion: 0,
  options: z.strictObject({
    window: windowOption,
    threshold: z.number().min(0).finite().default(0).describe('a turning point counts when (x[k−1] − x[k−2])·(x[k−1] − x[k]) is at least this'),
  }),
  channels: windowChannels,
  rate: sameRate,
  kernel: ({ window, threshold }, channels) => new TermWindowKernel('slopeSignChange', channels, window, threshold),
  exactness: bitExact,
  doc: {
    formula:
      '`y[n]` = how many of the last W samples k (fewer while warming up; k ≥ 2) have `(x[k−1] − x[k−2])·(x[k−1] − x[k]) ≥ threshold` (float64): a turning point at k−1 is counted when its next sample k arrives',
    state: 'f64 count, per channel the last W + 2 samples (f32)',
    simd: 'channels in float64 lanes',
  },
});
