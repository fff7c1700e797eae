import { plainCascade, sosfiltDefinition } from '../families/biquad/biquad.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('butterworth', {
  // 2, 3 and 6 sections: two register-held cascades (one with a first-order section) and the general loop.
  cases: [
    { type: 'lowpass', order: 4, cutoff: 1000, sampleRate: 48_000 },
    { type: 'highpass', order: 5, cutoff: 20, sampleRate: 1000 },
    { type: 'bandpass', order: 6, cutoff: [300, 3400], sampleRate: 16_000 },
  ],
  definition: sosfiltDefinition,
  definitionBound: 1e-6,
  // The callout: a 4th-order low-pass, 1 and 8 channels.
  bench: {
    options: { type: 'lowpass', order: 4, cutoff: 1000, sampleRate: 48_000 },
    plain: plainCascade,
    goal: { label: 'Butterworth (4th-order low-pass)', minPlainRatio: { 1: 2, 8: 5 }, source: 'issue 10' },
  },
});
