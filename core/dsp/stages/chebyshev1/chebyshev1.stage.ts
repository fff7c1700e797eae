import * as z from 'zod';
import { chebyshev1Sections } from '../../design/iirfilter.ts';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { designed } from '../families/biquad/biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from '../families/biquad/biquad.stage-parts.ts';
import { cutoff, filterType, order, sampleRate } from '../families/biquad/design-options.ts';

export const chebyshev1 = defineStage({
  name: 'chebyshev1',
  stateVersion: 0,
  options: z
    .strictObject({
      type: filterType,
      order,
      cutoff,
      rippleDb: z.number().gt(0).max(40).describe('passband ripple in dB (the response stays within −rippleDb … 0 dB up to the cutoff)'),
      sampleRate,
    })
    .transform((design, ctx) => designed(() => chebyshev1Sections(design), ctx)),
  channels: sameChannels,
  rate: sameRate,
  kernel: cascadeKernel,
  exactness: bitExact,
  doc: {
    formula: `Chebyshev type I: equiripple passband, a steeper edge than Butterworth of the same order; the sections of \`scipy.signal.cheby1(order, rippleDb, cutoff, btype=type, fs=sampleRate, output='sos')\` (within 1e-9); ${CASCADE_FORMULA}`,
    ...CASCADE_DOC,
  },
});
