import * as z from 'zod';
import type { ChannelRule, RateRule } from '../../descriptor.ts';
import { WINDOWS } from './spectral.kernel.ts';

/** Mirrors DSPFN_SPECTRAL_MAX_HOP and _MAX_CHANNELS in layers/dsp/src/families/spectral/spectral.h. */
export const MAX_HOP = 16_777_216;
export const MAX_CHANNELS = 1024;

export const size = z
  .number()
  .int()
  .min(16)
  .max(65_536)
  .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
  .describe('frame length in samples per channel, a power of two');

export const hop = z
  .number()
  .int()
  .min(1)
  .max(MAX_HOP)
  .optional()
  .describe('samples per channel from one frame to the next; default `size` (frames side by side; larger than size skips samples)');

export const window = z.enum(WINDOWS).default('hann').describe('periodic window applied to each frame');

export const sampleRate = z.number().positive().max(1e9).describe('input samples per second per channel (for the bins\' frequencies)');

/** One output frame per `hop` input frames. */
export const hopRate: RateRule<{ readonly hop: number }> = {
  kind: 'ratio',
  ratio: ({ hop }) => ({ up: 1, down: hop }),
  doc: 'rate / hop (one frame per hop), timed at its first sample',
};

/** C input channels → C × per channel outputs, channel-major. */
export function perChannelOutputs<P>(per: (params: P) => number, doc: string): ChannelRule<P> {
  return {
    doc,
    out: (inChannels, params) =>
      inChannels <= MAX_CHANNELS ? inChannels * per(params) : { error: `takes at most ${MAX_CHANNELS} channels, but its input has ${inChannels}` },
  };
}

/** Bin k's frequency, k·sampleRate/size, as every stage (and the C code) computes it. */
export function binHz(k: number, sampleRate: number, size: number): number {
  return (k * sampleRate) / size;
}
