import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { EmaKernel } from './ema.kernel.ts';

export const ema = defineStage({
  name: 'ema',
  stateVersion: 0,
  options: z.strictObject({ alpha: z.number().gt(0).max(1).describe('smoothing factor: 1 follows the input, small values smooth more') }),
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ alpha }, channels) => new EmaKernel(channels, alpha),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = y[n−1] + alpha·(x[n] − y[n−1])` in float64, `y[0] = x[0]` (the key\'s first sample)',
    state: 'f64 count, f64 y per channel',
    simd: 'channels in float64 lanes (lane driver)',
  },
});
