import { plainCascade, sosfiltDefinition } from '../families/biquad/biquad.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('chebyshev1', {
  // 4 sections (the most held in registers) and a bandstop of 2.
  cases: [
    { type: 'lowpass', order: 8, cutoff: 2000, rippleDb: 1, sampleRate: 44_100 },
    { type: 'bandstop', order: 2, cutoff: [45, 55], rippleDb: 0.5, sampleRate: 1000 },
  ],
  definition: sosfiltDefinition,
  definitionBound: 1e-6,
  bench: { options: { type: 'lowpass', order: 4, cutoff: 1000, rippleDb: 1, sampleRate: 48_000 }, plain: plainCascade },
});
