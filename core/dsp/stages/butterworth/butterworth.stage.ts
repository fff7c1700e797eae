import * as z from 'zod';
import { butterworthSections } from '../../design/iirfilter.ts';
import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { designed } from '../families/biquad/biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from '../families/biquad/biquad.stage-parts.ts';
import { cutoff, filterType, order, sampleRate } from '../families/biquad/design-options.ts';

export const butterworth = defineStage({
  name: 'butterworth',
  stateVersion: 0,
  options: z
    .strictObject({ type: filterType, order, cutoff, sampleRate })
    .transform((design, ctx) => designed(() => butterworthSections(design), ctx)),
  channels: sameChannels,
  rate: sameRate,
  kernel: cascadeKernel,
  exactness: bitExact,
  doc: {
    formula: `Butterworth: maximally flat passband, −3 dB at the cutoff; the sections of \`scipy.signal.butter(order, cutoff, btype=type, fs=sampleRate, output='sos')\` (within 1e-9); ${CASCADE_FORMULA}`,
    ...CASCADE_DOC,
  },
});
