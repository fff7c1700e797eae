import * as z from 'zod';
import type { Exactness } from '../../descriptor.ts';

/** Mirrors DSPFN_AF_MAX_TAPS in layers/dsp/src/families/adaptive_filter/adaptive_filter.h. */
export const MAX_TAPS = 4096;

/**
 * Options of nlms and lms. lms ignores `eps` but keeps it (with its default) in its params, as
 * every release did, so the configuration hash of stored lms pipelines stays the same.
 */
export const adaptiveOptions = z.strictObject({
  taps: z.number().int().min(1).max(MAX_TAPS).describe('filter length'),
  mu: z.number().positive().finite().describe('step size'),
  eps: z.number().min(0).finite().default(1e-6).describe('regulariser of the normalisation'),
});

function rmsOfChannel(input: Float32Array, channels: number, c: number): number {
  let sum = 0;
  let n = 0;
  for (let i = c; i < input.length; i += channels, n++) sum += input[i]! * input[i]!;
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** See layers/dsp/README.md, Numerics. */
export const adaptiveExactness: Exactness = {
  kind: 'bounded',
  exactPaths: ['scalar'],
  bound: 1e-5,
  scale: (input, channels) => rmsOfChannel(input, channels, 1),
  scaleDoc: 'rms(d)',
  why:
    'the SIMD paths add the float64 dot products w·x and x·x in another order; y feeds back through the error into the float32 weights, so weights (and snapshots) drift apart slowly',
};
