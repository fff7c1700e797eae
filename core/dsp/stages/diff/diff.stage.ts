import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { DiffKernel } from './diff.kernel.ts';

export const diff = defineStage({
  name: 'diff',
  stateVersion: 0,
  options: z.strictObject({}),
  channels: sameChannels,
  rate: sameRate,
  kernel: (_params, channels) => new DiffKernel(channels),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = x[n] − x[n−1]`, `x[−1] = 0` (in float64, rounded once to float32)',
    state: 'f64 previous sample per channel',
    simd: 'channels in float64 lanes (lane driver)',
  },
});
