import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { ClipKernel } from './clip.kernel.ts';

export const clip = defineStage({
  name: 'clip',
  stateVersion: 0,
  options: z
    .strictObject({
      min: z.number().describe('lower bound'),
      max: z.number().describe('upper bound, ≥ min'),
    })
    .refine((o) => o.min <= o.max, { message: 'min must not be greater than max', path: ['max'] }),
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ min, max }, channels) => new ClipKernel(channels, min, max),
  exactness: bitExact,
  doc: {
    formula: '`y[n] = x[n] < min ? min : x[n] > max ? max : x[n]` (NaN stays NaN; bounds rounded to float32 on output)',
    state: 'none',
    simd: 'consecutive samples in float64 lanes (lane driver)',
  },
});
