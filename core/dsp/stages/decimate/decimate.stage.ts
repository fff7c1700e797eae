import * as z from 'zod';
import { bitExact, defineStage, sameChannels } from '../descriptor.ts';
import { RateKernel } from '../families/rate/rate.kernel.ts';
import { factor, lowpass, polyphaseRate, taps } from '../families/rate/rate.options.ts';
import { windowOption } from '../fir/fir.options.ts';

export const decimate = defineStage({
  name: 'decimate',
  stateVersion: 0,
  options: z
    .strictObject({
      factor: factor.describe('keep the samples whose index in the key\'s stream is a multiple of factor'),
      taps: taps.describe('filter length; default 20·factor + 1'),
      window: windowOption.describe("the design's window: 'hamming' | 'hann' | 'blackman' | 'rectangular' | { kaiser: beta }"),
    })
    .transform((o, ctx) => ({
      factor: o.factor,
      coefficients: lowpass(ctx, { taps: o.taps, cutoff: 0.8 / o.factor, window: o.window, gain: 1, longest: o.factor }),
    })),
  channels: sameChannels,
  rate: polyphaseRate(({ factor }: { factor: number }) => ({ up: 1, down: factor }), 'rate / factor; output m is input sample m·factor'),
  kernel: ({ factor, coefficients }, channels) => new RateKernel('decimate', channels, 1, factor, coefficients),
  exactness: bitExact,
  doc: {
    formula:
      "`y[m] = Σ h[k]·x[m·factor − k]` (zeros before the key's first sample), `h = firwin(taps, 0.8/factor, window)` (cutoff relative to the input Nyquist, scipy's); only the kept outputs are computed, in fir's summation order",
    state: 'u32 phase, per channel the last taps−1 samples (f32, exact)',
    simd: "fir's dot products along the taps with a stride of factor between outputs (AVX2 2 × 4, SSE2 and NEON 4 × 2 float64 lanes)",
  },
});
