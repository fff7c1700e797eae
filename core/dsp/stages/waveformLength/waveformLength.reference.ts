import { directTermWindow, plainTermLoop } from '../families/window-features/window-features.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('waveformLength', {
  // 1: one term per window (no suffix sums); 7: blocks shorter than most calls; 300: blocks that
  // straddle calls, a long warm-up.
  cases: [{ window: 1 }, { window: 7 }, { window: 300 }],
  definition: (input, channels, { window }) => directTermWindow('waveformLength', input, channels, window, 0),
  definitionBound: 1e-7,
  bench: {
    options: { window: 128 },
    plain: ({ window }, channels) => plainTermLoop('waveformLength', window, 0, channels),
  },
});
