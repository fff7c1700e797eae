import * as z from 'zod';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { designed, MAX_SECTIONS, sectionSchema } from '../families/biquad/biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from '../families/biquad/biquad.stage-parts.ts';

export const biquad = defineStage({
  name: 'biquad',
  stateVersion: 0,
  options: z
    .strictObject({
      sections: z
        .array(sectionSchema)
        .min(1)
        .max(MAX_SECTIONS)
        .describe('second-order sections in order, each { b0, b1, b2, a1, a2 } with a0 = 1 (scipy sos rows without a0); each must be stable'),
    })
    .transform(({ sections }, ctx) => designed(() => sections.map(({ b0, b1, b2, a1, a2 }) => ({ b0, b1, b2, a1, a2 })), ctx)),
  channels: sameChannels,
  rate: sameRate,
  kernel: cascadeKernel,
  exactness: bitExact,
  doc: {
    formula: `each section \`y[n] = b0·x[n] + b1·x[n−1] + b2·x[n−2] − a1·y[n−1] − a2·y[n−2]\`, the output of one the input of the next; ${CASCADE_FORMULA}`,
    ...CASCADE_DOC,
  },
});
