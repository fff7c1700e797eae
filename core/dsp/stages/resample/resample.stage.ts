import * as z from 'zod';
import { bitExact, defineStage, sameChannels } from '../descriptor.ts';
import { RateKernel } from '../families/rate/rate.kernel.ts';
import { gcd, lowpass, MAX_FACTOR, MAX_UNREDUCED, polyphaseRate, taps } from '../families/rate/rate.options.ts';

const whole = z.number().int().min(1).max(MAX_UNREDUCED);

export const resample = defineStage({
  name: 'resample',
  stateVersion: 0,
  options: z
    .strictObject({
      up: whole.describe(`zero-stuffing factor; up/down is reduced by its gcd, after which each is at most ${MAX_FACTOR}`),
      down: whole.describe('keep every down-th sample of the filtered, zero-stuffed stream'),
      taps: taps.describe('filter length; default 20·max(up, down) + 1 (of the reduced up and down)'),
    })
    .transform((o, ctx) => {
      const g = gcd(o.up, o.down);
      const up = o.up / g;
      const down = o.down / g;
      const longest = up > down ? up : down;
      if (longest < 2 || longest > MAX_FACTOR) {
        const why = longest < 2 ? `up/down = ${o.up}/${o.down} is 1: no rate change` : `up/down = ${o.up}/${o.down} reduces to ${up}/${down}: each must be at most ${MAX_FACTOR}`;
        ctx.addIssue({ code: 'custom', message: why, input: o });
        return z.NEVER;
      }
      return { up, down, coefficients: lowpass(ctx, { taps: o.taps, cutoff: 1 / longest, window: { kaiser: 5 }, gain: up, longest }) };
    }),
  channels: sameChannels,
  rate: polyphaseRate(({ up, down }: { up: number; down: number }) => ({ up, down }), 'rate × up / down (reduced); output m lies at input sample m·down/up'),
  kernel: ({ up, down, coefficients }, channels) => new RateKernel('resample', channels, up, down, coefficients),
  exactness: bitExact,
  doc: {
    formula:
      "`u` = the input with up − 1 zeros after each sample, `y[m] = Σ h[k]·u[m·down − k]` (causal, phase 0: scipy's `upfirdn(h, x, up, down)`), `h = up·firwin(taps, 1/max(up, down), window=('kaiser', 5.0))`, up/down reduced by their gcd; polyphase, in fir's order",
    state: 'u32 phase, per channel the last ⌈taps/up⌉ − 1 samples (f32, exact)',
    simd: "fir's dot products along each phase's taps, strided by down (AVX2 2 × 4, SSE2 and NEON 4 × 2 float64 lanes)",
  },
});
