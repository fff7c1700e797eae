import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { IntegrateKernel } from './integrate.kernel.ts';

export const integrate = defineStage({
  name: 'integrate',
  stateVersion: 0,
  options: z.strictObject({
    alpha: z.number().gt(0).max(1).default(1).describe('leak: 1 is a running sum, smaller values forget older samples'),
  }),
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ alpha }, channels) => new IntegrateKernel(channels, alpha),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = alpha·y[n−1] + x[n]` in float64, `y[−1] = 0`',
    state: 'f64 y per channel',
    simd: 'channels in float64 lanes (lane driver)',
  },
});
