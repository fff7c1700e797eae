import { plainCascade, sosfiltDefinition } from '../families/biquad/biquad.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('lowShelf', {
  // A boost and a deep cut (a section far from unity gain either way).
  cases: [
    { frequency: 1000, q: 0.707, gainDb: 12, sampleRate: 48_000 },
    { frequency: 100, q: 4, gainDb: -40, sampleRate: 8000 },
  ],
  definition: sosfiltDefinition,
  definitionBound: 1e-6,
  bench: { options: { frequency: 1000, q: 0.707, gainDb: 6, sampleRate: 48_000 }, plain: plainCascade },
});
