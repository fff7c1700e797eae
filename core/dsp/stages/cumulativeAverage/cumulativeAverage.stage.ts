import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { CumulativeAverageKernel } from './cumulativeAverage.kernel.ts';

export const cumulativeAverage = defineStage({
  name: 'cumulativeAverage',
  stateVersion: 0,
  options: z.strictObject({}),
  channels: sameChannels,
  rate: sameRate,
  kernel: (_params, channels) => new CumulativeAverageKernel(channels),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = mean(x[0] … x[n])`, every sample of the key so far (a compensated float64 sum, so the mean of a key that runs for billions of samples is still right to the last float32 bit)',
    state: 'f64 count; per channel f64 sum and f64 sum of its rounding errors',
    simd: 'channels in float64 lanes (lane driver)',
  },
});
