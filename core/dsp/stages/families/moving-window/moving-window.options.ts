import * as z from 'zod';

/** Mirrors DSPFN_MW_MAX_WINDOW in layers/dsp/src/families/moving_window/moving_window.h. */
export const MAX_WINDOW = 1_048_576;

/** Options of movingAverage and rms. */
export const windowOptions = z.strictObject({
  window: z.number().int().min(1).max(MAX_WINDOW).describe('samples per channel'),
});
