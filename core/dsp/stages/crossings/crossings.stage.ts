import * as z from 'zod';
import { bitExact, defineStage, eventChannels } from '../descriptor.ts';
import { CrossingsKernel } from './crossings.kernel.ts';

export const crossings = defineStage({
  name: 'crossings',
  stateVersion: 0,
  options: z
    .strictObject({
      high: z.number().describe('a channel below goes above, with a `rising` event, at a sample ≥ high'),
      low: z.number().describe('a channel above goes below, with a `falling` event, at a sample ≤ low; less than high'),
    })
    .refine((o) => o.low < o.high, { message: 'low must be less than high (the band between them is the hysteresis)', path: ['low'] }),
  channels: eventChannels,
  rate: { kind: 'events', kinds: ['rising', 'falling'], doc: 'an event per crossing, at its sample' },
  inPlace: false,
  kernel: ({ high, low }, channels) => new CrossingsKernel(channels, high, low),
  exactness: bitExact,
  doc: {
    formula:
      'hysteresis per channel: below, `x ≥ high` is `rising` (then above); above, `x ≤ low` is `falling` (then below). Channels start below, so events alternate and the first is `rising`; the event carries the crossing sample',
    state: 'f64 count; per channel f64 side (0 below, 1 above)',
    simd: 'scalar decisions; blocks where no channel can cross are skipped with a vector compare',
  },
});
