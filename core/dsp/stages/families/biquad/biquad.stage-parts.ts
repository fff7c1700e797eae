/** What every IIR stage's descriptor shares: the cascade kernel and its README cells. */
import { BiquadKernel } from './biquad.kernel.ts';
import type { SectionsParams } from './biquad.options.ts';

export function cascadeKernel({ sections }: SectionsParams, channels: number): BiquadKernel {
  return new BiquadKernel(channels, sections);
}

/** How the cascade runs, after each stage's own formula. */
export const CASCADE_FORMULA =
  'run as a cascade of second-order sections in float64, zero initial state: direct form I per section on two or more channels, the two-step look-ahead form on one (see "Choosing a filter")';

export const CASCADE_DOC = {
  state: 'per channel, f64 history of the input and of each section\'s output: 2 values each (one channel: 4)',
  simd: '2+ channels: channels in float64 lanes (lane driver, up to 4 sections in registers); 1 channel: consecutive samples in SSE2/NEON lanes, 2 sections as a pipeline in one AVX2 vector',
} as const;
