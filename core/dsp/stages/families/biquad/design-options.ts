/** Option fields the designed IIR stages share (each stage's schema lists them in its own order). */
import * as z from 'zod';
import { FILTER_TYPES } from '../../../design/iirfilter.ts';

/** Prototype orders; a band type doubles the poles, so 32 sections at most. */
export const MAX_ORDER = 32;

export const filterType = z.enum(FILTER_TYPES).describe('the response');
export const order = z.number().int().min(1).max(MAX_ORDER).describe("the prototype's order (a band type has twice as many poles, as in scipy)");
export const cutoff = z
  .union([z.number(), z.tuple([z.number(), z.number()])])
  .describe('Hz: one frequency for lowpass/highpass, [low, high] for bandpass/bandstop, all > 0 and < sampleRate/2');
export const sampleRate = z.number().positive().describe('Hz');
export const frequency = z.number().positive().describe('Hz, < sampleRate/2');
export const q = z.number().positive().max(1e6).describe('quality factor: frequency / bandwidth');
export const gainDb = z.number().min(-60).max(60).describe('dB');

/** Why `frequency` is not in (0, sampleRate/2), or undefined. */
export function frequencyProblem(frequency: number, sampleRate: number): string | undefined {
  return frequency < sampleRate / 2 ? undefined : `frequency must be < sampleRate/2 (${sampleRate / 2} Hz), got ${frequency}`;
}
