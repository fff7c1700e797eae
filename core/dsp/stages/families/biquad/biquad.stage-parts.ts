/** What every IIR stage's descriptor shares: the cascade kernel and its README cells. */
import { BiquadKernel } from './biquad.kernel.ts';
import type { SectionsParams } from './biquad.options.ts';

export function cascadeKernel({ sections }: SectionsParams, channels: number): BiquadKernel {
  return new BiquadKernel(channels, sections);
}

/** How the cascade runs, after each stage's own formula. */
export const CASCADE_FORMULA = 'run as a cascade of second-order sections in float64, direct form I per section (`y = (((b0·x + b1·x1) + b2·x2) − a2·y2) − a1·y1`), zero initial state';

export const CASCADE_DOC = {
  state: 'f64 x1, x2 of the input and y1, y2 of each section, per channel',
  simd: 'channels in float64 lanes (lane driver: the per-sample recurrence once, up to 4 sections held in registers)',
} as const;
