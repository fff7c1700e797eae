import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { KalmanKernel } from './kalman.kernel.ts';

export const kalman = defineStage({
  name: 'kalman',
  stateVersion: 0,
  options: z.strictObject({
    processNoise: z.number().min(0).finite().describe('q: variance the level drifts by per sample (0: a constant level)'),
    measurementNoise: z.number().gt(0).finite().describe('r: variance of the measurement noise'),
    initialError: z.number().min(0).finite().default(1).describe('P after the first sample (its error variance)'),
  }),
  channels: sameChannels,
  rate: sameRate,
  kernel: (params, channels) => new KalmanKernel(channels, params),
  exactness: bitExact,
  doc: {
    formula:
      'random walk per channel, in float64: `P += q; K = P/(P + r); x += K·(z − x); P ·= (1 − K)`, output `x`; the key\'s first sample sets `x = z`, `P = initialError` and is output as it is',
    state: 'f64 count, per channel f64 x, f64 P',
    simd: 'channels in float64 lanes (lane driver)',
  },
});
