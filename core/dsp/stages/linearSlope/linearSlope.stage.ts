import * as z from 'zod';
import { bitExact, defineStage, sameRate } from '../descriptor.ts';
import { MAX_WINDOW, windowChannels } from '../families/window-features/window-features.options.ts';
import { LinearSlopeKernel } from './linearSlope.kernel.ts';

export const linearSlope = defineStage({
  name: 'linearSlope',
  stateVersion: 0,
  options: z.strictObject({ window: z.number().int().min(2).max(MAX_WINDOW).describe('samples per channel the line is fitted to') }),
  channels: windowChannels,
  rate: sameRate,
  kernel: ({ window }, channels) => new LinearSlopeKernel(channels, window),
  exactness: bitExact,
  doc: {
    formula:
      'least-squares slope per sample of the last m = min(n + 1, W) samples: `y = Σ (i − (m−1)/2)·x_i / (m(m²−1)/12)`, 0 for the key\'s first sample; float64 sums that restart every W samples (no drift)',
    state: 'f64 count, per channel the last W samples (f32)',
    simd: 'channels in float64 lanes',
  },
});
