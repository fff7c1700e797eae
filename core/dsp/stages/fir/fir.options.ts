import * as z from 'zod';
import { firwin } from '../../design/firwin.ts';
import { MAX_KAISER_BETA } from '../../design/windows.ts';

/** Mirrors DSPFN_FIR_MAX_TAPS in layers/dsp/src/families/fir/fir_dot.h. */
export const MAX_TAPS = 4096;

/** The window of a firwin design (fir's design, decimate). */
export const windowOption = z
  .union([z.enum(['hamming', 'hann', 'blackman', 'rectangular']), z.strictObject({ kaiser: z.number().min(0).max(MAX_KAISER_BETA) })], {
    error: `'hamming', 'hann', 'blackman', 'rectangular' or { kaiser: beta } with 0 ≤ beta ≤ ${MAX_KAISER_BETA}`,
  })
  .default('hamming');

const designOption = z.strictObject({
  type: z.enum(['lowpass', 'highpass', 'bandpass', 'bandstop']),
  cutoff: z.union([z.number(), z.tuple([z.number(), z.number()]).readonly()], {
    error: 'a frequency in Hz, or a [low, high] pair in Hz for bandpass and bandstop',
  }),
  taps: z.number().int().min(1).max(MAX_TAPS),
  window: windowOption,
  sampleRate: z.number().positive(),
});

export type FirDesign = z.output<typeof designOption>;

/**
 * fir's options: `coefficients`, or a `design` that this schema turns into coefficients with
 * firwin (core/dsp/design/firwin.ts, equal to scipy.signal.firwin), so the params, the
 * configuration hash and what C receives are always `{ coefficients }`.
 */
export const firOptions = z
  .strictObject({
    coefficients: z.array(z.number()).min(1).max(MAX_TAPS).optional().describe('the impulse response h[0], h[1], … (h[0] multiplies the newest sample); give this or design'),
    design: designOption
      .optional()
      .describe(
        `a windowed-sinc design as scipy.signal.firwin: type 'lowpass' | 'highpass' | 'bandpass' | 'bandstop'; cutoff in Hz ([low, high] for the band types); taps 1 … ${MAX_TAPS} (odd for highpass and bandstop); window 'hamming' (default) | 'hann' | 'blackman' | 'rectangular' | { kaiser: beta }; sampleRate in Hz`,
      ),
  })
  .transform((options, ctx): { coefficients: number[] } => {
    if ((options.coefficients === undefined) === (options.design === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either coefficients or design, not both or neither', input: options });
      return z.NEVER;
    }
    if (options.coefficients !== undefined) return { coefficients: options.coefficients };
    const { type, cutoff, taps, window, sampleRate } = options.design!;
    try {
      return { coefficients: Array.from(firwin({ type, cutoff, taps, window, fs: sampleRate })) };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message, path: ['design'], input: options.design });
      return z.NEVER;
    }
  });
