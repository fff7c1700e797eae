import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { GainKernel } from './gain.kernel.ts';

export const gain = defineStage({
  name: 'gain',
  stateVersion: 0,
  options: z.strictObject({ factor: z.number().finite().describe('multiplier (any sign)') }),
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ factor }, channels) => new GainKernel(channels, factor),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = factor·x[n]` (the product in float64, rounded once to float32)',
    state: 'none',
    simd: 'consecutive samples in float64 lanes (lane driver)',
  },
});
