import { adaptiveInput, directAdaptiveFilter, plainAdaptiveLoop } from '../families/adaptive-filter/adaptive-filter.reference.ts';
import { defineReference } from '../reference.ts';

const unstable = 'LMS with a fixed mu is only stable for mu < 2 / (taps × power); this signal\'s power makes every case diverge';

export const reference = defineReference('lms', {
  cases: [{ taps: 1, mu: 0.05 }, { taps: 8, mu: 0.01 }, { taps: 33, mu: 0.002 }],
  definition: (input, _channels, params) => directAdaptiveFilter(input, params, false),
  definitionBound: 1e-5,
  input: (signal) => adaptiveInput(signal),
  skipSignals: { dc: unstable, huge: unstable },
  bench: {
    options: { taps: 32, mu: 0.001 },
    plain: (params) => plainAdaptiveLoop(params, false),
  },
});
