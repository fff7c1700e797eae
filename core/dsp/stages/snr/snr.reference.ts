import { directSnr, plainSnrLoop } from '../families/window-features/window-features.reference.ts';
import { defineReference } from '../reference.ts';

export const reference = defineReference('snr', {
  // 1: each frame alone (a silent noise sample hits the floor); 50; 4096: most of the stream.
  cases: [{ window: 1 }, { window: 50 }, { window: 4096 }],
  definition: (input, _channels, { window }) => directSnr(input, window),
  definitionBound: 1e-6,
  bench: {
    options: { window: 128 },
    plain: ({ window }) => plainSnrLoop(window),
  },
});
