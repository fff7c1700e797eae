import * as z from 'zod';
import { bitExact, defineStage, eventChannels } from '../descriptor.ts';
import { ClipDetectKernel } from './clipDetect.kernel.ts';

export const clipDetect = defineStage({
  name: 'clipDetect',
  stateVersion: 0,
  options: z.strictObject({
    threshold: z.number().positive().describe('a sample with |x| ≥ threshold is clipped'),
  }),
  channels: eventChannels,
  rate: { kind: 'events', kinds: ['clip'], doc: 'an event per run of clipped samples, at its first sample' },
  inPlace: false,
  kernel: ({ threshold }, channels) => new ClipDetectKernel(channels, threshold),
  exactness: bitExact,
  doc: {
    formula:
      'per channel, a run of consecutive samples with `|x| ≥ threshold` is one `clip` event carrying the run\'s first sample (index, value); the run ends at a sample with `|x| < threshold` (or NaN)',
    state: 'f64 count; per channel f64 in-a-run flag',
    simd: 'scalar decisions; blocks where no channel starts or ends a run are skipped with a vector compare',
  },
});
