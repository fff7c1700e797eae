import * as z from 'zod';
import { transferFunctionSections } from '../../design/transfer-function.ts';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { designed } from '../families/biquad/biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from '../families/biquad/biquad.stage-parts.ts';

/** Coefficients per polynomial: order ≤ 32. */
const MAX_COEFFICIENTS = 33;

export const iir = defineStage({
  name: 'iir',
  stateVersion: 0,
  options: z
    .strictObject({
      b: z.array(z.number()).min(1).max(MAX_COEFFICIENTS).describe('numerator b[0], b[1], … (of z⁰, z⁻¹, …)'),
      a: z.array(z.number()).min(1).max(MAX_COEFFICIENTS).describe('denominator a[0], a[1], …; a[0] ≠ 0, the filter must be stable'),
    })
    .transform(({ b, a }, ctx) => {
      if (a[0] === 0) ctx.addIssue({ code: 'custom', message: 'a[0] must not be 0', path: ['a', 0] });
      else if (b.every((v) => v === 0)) ctx.addIssue({ code: 'custom', message: 'b needs a nonzero coefficient', path: ['b'] });
      else return designed(() => transferFunctionSections(b, a), ctx);
      return z.NEVER;
    }),
  channels: sameChannels,
  rate: sameRate,
  kernel: cascadeKernel,
  exactness: bitExact,
  doc: {
    formula: `\`a[0]·y[n] = Σ b[k]·x[n−k] − Σ a[k]·y[n−k]\` (scipy.signal.lfilter's filter), normalised by \`a[0]\`; up to 2nd order one section as given, above it split into sections as scipy.signal.tf2sos does (roots, then zpk2sos's pairing); ${CASCADE_FORMULA}`,
    ...CASCADE_DOC,
  },
});
