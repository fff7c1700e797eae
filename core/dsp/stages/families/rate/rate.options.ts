import * as z from 'zod';
import { firwin, type FirWindow } from '../../../design/firwin.ts';
import type { RateRule } from '../../descriptor.ts';
import { MAX_TAPS } from '../../fir/fir.options.ts';

/** Largest decimation or interpolation factor, and largest up or down after the gcd (mirrors DSPFN_RATE_MAX_FACTOR in layers/dsp/src/families/rate/rate.h). */
export const MAX_FACTOR = 1024;

/** Largest up or down a resample takes before they are reduced by their gcd. */
export const MAX_UNREDUCED = 1_000_000_000;

export const factor = z.number().int().min(2).max(MAX_FACTOR);

export const taps = z
  .number()
  .int()
  .min(1)
  .max(MAX_TAPS)
  .optional()
  .describe(`filter length, 1 … ${MAX_TAPS}`);

/** What every rate changer runs: zero-stuff by `up`, filter with `coefficients`, keep every `down`-th sample. */
export interface Polyphase {
  readonly up: number;
  readonly down: number;
  readonly coefficients: readonly number[];
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * The lowpass `gain · firwin(taps, cutoff, window)` with a cutoff relative to Nyquist (scipy's
 * default fs = 2), or a zod issue when the design or its length is refused. `taps` defaults to
 * `20 · longest + 1`, the issue's rule; a default beyond MAX_TAPS asks for explicit taps.
 */
export function lowpass(
  ctx: z.RefinementCtx,
  options: { readonly taps?: number | undefined; readonly cutoff: number; readonly window: FirWindow; readonly gain: number; readonly longest: number },
): number[] {
  const length = options.taps ?? 20 * options.longest + 1;
  if (length > MAX_TAPS) {
    ctx.addIssue({ code: 'custom', message: `the default taps 20·${options.longest} + 1 = ${length} exceed ${MAX_TAPS}: give taps`, path: ['taps'], input: length });
    return [];
  }
  try {
    const h = firwin({ type: 'lowpass', taps: length, cutoff: options.cutoff, window: options.window });
    return Array.from(h, (v) => options.gain * v);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, input: options });
    return [];
  }
}

/** Output rate = input rate × up / down; the first output of a call at its first kept position. */
export function polyphaseRate<P>(ratio: (params: P) => { readonly up: number; readonly down: number }, doc: string): RateRule<P> {
  return { kind: 'ratio', ratio, doc };
}
