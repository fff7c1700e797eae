import * as z from 'zod';
import { emptyMelBand } from './mel.ts';

/** Mirrors DSPFN_MEL_MAX_BANDS in layers/dsp/src/families/spectral/mel.h. */
export const MAX_MEL_BANDS = 512;

export const melBands = z.number().int().min(1).max(MAX_MEL_BANDS).describe('triangular filters on the HTK mel scale from 0 to sampleRate/2');

/** Refuses a filter bank with a band that holds no FFT bin (it would only ever output ln 1e-10). */
export function checkMelBands(o: { size: number; sampleRate: number; melBands: number }, ctx: z.RefinementCtx): void {
  const empty = emptyMelBand(o.size, o.sampleRate, o.melBands);
  if (empty >= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['melBands'],
      message: `${o.melBands} mel bands at size ${o.size} leave band ${empty} without an FFT bin (bins are ${o.sampleRate / o.size} Hz apart): use a larger size or fewer melBands`,
    });
  }
}
