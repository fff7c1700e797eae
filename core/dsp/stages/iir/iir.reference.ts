import { plainCascade, sosfiltDefinition } from '../families/biquad/biquad.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('iir', {
  cases: [
    // One section as given; a[0] = 2 normalised and b[0] = 0 (a one-sample delay); order 5 → 3 sections through roots.
    { b: [0.2, 0.3, 0.2], a: [1, -0.5, 0.25] },
    { b: [0, 0.5], a: [2, -1] },
    // scipy.signal.butter(5, 0.2) as (b, a)
    {
      b: [0.001282581078960685, 0.006412905394803425, 0.01282581078960685, 0.01282581078960685, 0.006412905394803425, 0.001282581078960685],
      a: [1.0, -2.9754221097456828, 3.8060181193204103, -2.5452528683304663, 0.8811300754378365, -0.1254306221553556],
    },
  ],
  // scipy.signal.lfilter on the same (b, a) is what iir promises; sosfilt over the kernel's own
  // sections checks the kernel, and design.test.ts checks the sections against lfilter's output.
  definition: (input, channels, params) => sosfiltDefinition(input, channels, params),
  definitionBound: 1e-6,
  bench: { options: { b: [0.2, 0.3, 0.2], a: [1, -0.5, 0.25] }, plain: plainCascade },
});
