import { adaptiveInput, directAdaptiveFilter, plainAdaptiveLoop } from '../families/adaptive-filter/adaptive-filter.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('nlms', {
  // Tap counts around the SIMD widths (1, 8, 33); a large eps takes over on tiny signals.
  cases: [{ taps: 1, mu: 0.5 }, { taps: 8, mu: 0.3, eps: 1e-3 }, { taps: 33, mu: 0.1 }],
  definition: (input, _channels, params) => directAdaptiveFilter(input, params, true),
  definitionBound: 1e-5,
  input: (signal) => adaptiveInput(signal),
  bench: {
    options: { taps: 32, mu: 0.2 },
    plain: (params) => plainAdaptiveLoop(params, true),
  },
});
