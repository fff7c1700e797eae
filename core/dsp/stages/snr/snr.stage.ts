import * as z from 'zod';
import { bitExact, defineStage, fixedChannels, sameRate } from '../descriptor.ts';
import { windowOption } from '../families/window-features/window-features.options.ts';
import { SnrKernel } from './snr.kernel.ts';

export const snr = defineStage({
  name: 'snr',
  stateVersion: 0,
  options: z.strictObject({ window: windowOption }),
  channels: fixedChannels(2, 1, '[s0, n0, s1, n1, …] (signal, noise)'),
  rate: sameRate,
  kernel: ({ window }) => new SnrKernel(window),
  exactness: bitExact,
  doc: {
    formula:
      'input `[s0, n0, s1, n1, …]`; `y = 10·log10(Σs² / Σn²)` over the last W frames (the mean powers\' ratio; fewer frames while warming up, the first frame alone at first); a window of exact zeros counts as power 2⁻¹⁰²², so silence gives finite values (0 dB when both are silent); the logarithm is portable (same bits everywhere)',
    state: 'f64 count, the last W frames (f32 pairs)',
    simd: 'the two channels\' sums in float64 lanes, the logarithm over consecutive frames in float64 lanes',
  },
});
