import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { RectifyKernel } from './rectify.kernel.ts';

export const rectify = defineStage({
  name: 'rectify',
  stateVersion: 0,
  options: z.strictObject({
    mode: z.enum(['full', 'half']).describe('full keeps the magnitude; half turns negative samples into 0'),
  }),
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ mode }, channels) => new RectifyKernel(channels, mode === 'half'),
  exactness: bitExact,
  doc: {
    formula: "full: `y[n] = |x[n]|`; half: `y[n] = x[n] < 0 ? 0 : x[n]` (NaN stays NaN)",
    state: 'none',
    simd: 'consecutive samples in float64 lanes (lane driver)',
  },
});
