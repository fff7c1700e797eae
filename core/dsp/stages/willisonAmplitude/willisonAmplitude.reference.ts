import { directTermWindow, plainTermLoop } from '../families/window-features/window-features.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('willisonAmplitude', {
  // 0.5: about half of the noise's steps, short blocks; 1e-3 with a window longer than most calls
  // (the family's other paths, window 1 included, run under waveformLength).
  cases: [{ window: 16, threshold: 0.5 }, { window: 257, threshold: 1e-3 }],
  definition: (input, channels, { window, threshold }) => directTermWindow('willisonAmplitude', input, channels, window, threshold),
  definitionBound: 0,
  bench: {
    options: { window: 128, threshold: 0.05 },
    plain: ({ window, threshold }, channels) => plainTermLoop('willisonAmplitude', window, threshold, channels),
  },
});
