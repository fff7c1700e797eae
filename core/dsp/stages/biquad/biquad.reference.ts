import { plainCascade, sosfiltDefinition } from '../families/biquad/biquad.reference.ts';
import { defineReference } from '../reference.ts';

const resonator = { b0: 0.02, b1: 0, b2: -0.02, a1: -1.9, a2: 0.96 };

export const reference = defineReference('biquad', {
  // One section; five (beyond the four the native paths keep in registers).
  cases: [
    { sections: [resonator] },
    {
      sections: [
        { b0: 0.5, b1: 0.25, b2: 0, a1: -0.3, a2: 0 },
        resonator,
        { b0: 1, b1: -2, b2: 1, a1: -1.8, a2: 0.82 },
        { b0: 1, b1: 2, b2: 1, a1: 0.4, a2: 0.2 },
        { b0: 0.9, b1: -0.1, b2: 0.05, a1: 0.1, a2: -0.5 },
      ],
    },
  ],
  definition: sosfiltDefinition,
  definitionBound: 1e-6,
  bench: { options: { sections: [resonator, { b0: 1, b1: 2, b2: 1, a1: -1.8, a2: 0.82 }] }, plain: plainCascade },
});
