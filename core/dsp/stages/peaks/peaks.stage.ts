import * as z from 'zod';
import { bitExact, defineStage, eventChannels } from '../descriptor.ts';
import { PeaksKernel } from './peaks.kernel.ts';

export const peaks = defineStage({
  name: 'peaks',
  stateVersion: 0,
  options: z.strictObject({
    threshold: z.number().describe('a peak is above it (x[n] > threshold)'),
    minDistance: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31)
      .default(1)
      .describe("samples from the channel's previous peak to the next at least (1: any; peaks are 2 apart anyway)"),
  }),
  channels: eventChannels,
  rate: { kind: 'events', kinds: ['peak'], doc: 'an event per peak, one sample late (known when the next sample arrives)' },
  inPlace: false,
  kernel: ({ threshold, minDistance }, channels) => new PeaksKernel(channels, threshold, minDistance),
  exactness: bitExact,
  doc: {
    formula:
      "`x[n]` is a peak when `x[n] > threshold`, `x[n] > x[n−1]`, `x[n] ≥ x[n+1]`, `n ≥ 1` and `n − (the channel's previous peak) ≥ minDistance`; the event (index n, x[n]) comes when x[n+1] arrives",
    state: 'f64 count; per channel f64 previous sample, pending flag, last peak index',
    simd: 'scalar decisions; blocks of samples none of which can start a peak are skipped with a vector compare',
  },
});
