import * as z from 'zod';
import { highShelfSection } from '../../design/second-order.ts';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { designed } from '../families/biquad/biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from '../families/biquad/biquad.stage-parts.ts';
import { frequency, frequencyProblem, gainDb, q, sampleRate } from '../families/biquad/design-options.ts';

export const highShelf = defineStage({
  name: 'highShelf',
  stateVersion: 0,
  options: z.strictObject({ frequency, q, gainDb, sampleRate }).transform((design, ctx) =>
    designed(() => {
      const problem = frequencyProblem(design.frequency, design.sampleRate);
      if (problem !== undefined) throw new RangeError(problem);
      return [highShelfSection(design)];
    }, ctx),
  ),
  channels: sameChannels,
  rate: sameRate,
  kernel: cascadeKernel,
  exactness: bitExact,
  doc: {
    formula: `boosts or cuts frequencies above \`frequency\` by \`gainDb\` (\`gainDb/2\` at \`frequency\`, 0 dB at DC; \`q\` sets the slope): the Audio EQ Cookbook (RBJ) highShelf, normalised by a0; ${CASCADE_FORMULA}`,
    ...CASCADE_DOC,
  },
});
