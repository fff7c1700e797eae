import { plainCascade, sosfiltDefinition } from '../families/biquad/biquad.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('notch', {
  // Mains hum (a narrow notch, poles near the unit circle) and a wide one near Nyquist.
  cases: [
    { frequency: 50, q: 30, sampleRate: 1000 },
    { frequency: 20_000, q: 2, sampleRate: 44_100 },
  ],
  definition: sosfiltDefinition,
  definitionBound: 1e-6,
  bench: { options: { frequency: 50, q: 30, sampleRate: 1000 }, plain: plainCascade },
});
