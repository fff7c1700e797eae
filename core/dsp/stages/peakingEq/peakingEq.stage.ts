import * as z from 'zod';
import { peakingEqSection } from '../../design/second-order.ts';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { designed } from '../families/biquad/biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from '../families/biquad/biquad.stage-parts.ts';
import { frequency, frequencyProblem, gainDb, q, sampleRate } from '../families/biquad/design-options.ts';

export const peakingEq = defineStage({
  name: 'peakingEq',
  stateVersion: 0,
  options: z.strictObject({ frequency, q, gainDb, sampleRate }).transform((design, ctx) =>
    designed(() => {
      const problem = frequencyProblem(design.frequency, design.sampleRate);
      if (problem !== undefined) throw new RangeError(problem);
      return [peakingEqSection(design)];
    }, ctx),
  ),
  channels: sameChannels,
  rate: sameRate,
  kernel: cascadeKernel,
  exactness: bitExact,
  doc: {
    formula: `boosts or cuts by \`gainDb\` around \`frequency\` (bandwidth set by \`q\`), 0 dB far from it: the Audio EQ Cookbook (RBJ) peakingEQ, normalised by a0; ${CASCADE_FORMULA}`,
    ...CASCADE_DOC,
  },
});
