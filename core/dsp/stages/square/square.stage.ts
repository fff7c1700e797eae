import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { SquareKernel } from './square.kernel.ts';

export const square = defineStage({
  name: 'square',
  stateVersion: 0,
  options: z.strictObject({}),
  channels: sameChannels,
  rate: sameRate,
  kernel: (_params, channels) => new SquareKernel(channels),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = x[n]²` (exact in float64, rounded once to float32: for |x| beyond 1.8e19 it is Infinity)',
    state: 'none',
    simd: 'consecutive samples in float64 lanes (lane driver)',
  },
});
