import * as z from 'zod';
import { bitExact, defineStage, sameChannels } from '../descriptor.ts';
import { RateKernel } from '../families/rate/rate.kernel.ts';
import { factor, lowpass, polyphaseRate, taps } from '../families/rate/rate.options.ts';

export const interpolate = defineStage({
  name: 'interpolate',
  stateVersion: 0,
  options: z
    .strictObject({
      factor: factor.describe('output samples per input sample'),
      taps: taps.describe('filter length; default 20·factor + 1'),
    })
    .transform((o, ctx) => ({
      factor: o.factor,
      coefficients: lowpass(ctx, { taps: o.taps, cutoff: 1 / o.factor, window: 'hamming', gain: o.factor, longest: o.factor }),
    })),
  channels: sameChannels,
  rate: polyphaseRate(({ factor }: { factor: number }) => ({ up: factor, down: 1 }), 'rate × factor; output m lies at input sample m/factor'),
  kernel: ({ factor, coefficients }, channels) => new RateKernel('interpolate', channels, factor, 1, coefficients),
  exactness: bitExact,
  doc: {
    formula:
      "`u` = the input with factor − 1 zeros after each sample, `y[m] = Σ h[k]·u[m − k]`, `h = factor·firwin(taps, 1/factor)` (Hamming); polyphase: each output sums only its phase's ⌈taps/factor⌉ taps, in fir's order",
    state: 'u32 phase (always 0), per channel the last ⌈taps/factor⌉ − 1 samples (f32, exact)',
    simd: "fir's dot products along each phase's taps (AVX2 2 × 4, SSE2 and NEON 4 × 2 float64 lanes)",
  },
});
