import * as z from 'zod';
import { notchSection } from '../../design/second-order.ts';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { designed } from '../families/biquad/biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from '../families/biquad/biquad.stage-parts.ts';
import { frequency, frequencyProblem, q, sampleRate } from '../families/biquad/design-options.ts';

export const notch = defineStage({
  name: 'notch',
  stateVersion: 0,
  options: z.strictObject({ frequency, q, sampleRate }).transform((design, ctx) =>
    designed(() => {
      const problem = frequencyProblem(design.frequency, design.sampleRate);
      if (problem !== undefined) throw new RangeError(problem);
      return [notchSection(design)];
    }, ctx),
  ),
  channels: sameChannels,
  rate: sameRate,
  kernel: cascadeKernel,
  exactness: bitExact,
  doc: {
    formula: `removes \`frequency\` (zero gain there, −3 dB at ± frequency/(2·q)): \`scipy.signal.iirnotch(frequency, q, fs=sampleRate)\` (within 1e-9); ${CASCADE_FORMULA}`,
    ...CASCADE_DOC,
  },
});
