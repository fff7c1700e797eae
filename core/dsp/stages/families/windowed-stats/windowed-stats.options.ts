import * as z from 'zod';
import { MAX_WINDOW } from '../moving-window/moving-window.options.ts';

export { windowOptions } from '../moving-window/moving-window.options.ts';

/**
 * Running sums (variance, stddev and zScore over windows longer than DIRECT_WINDOW_MAX, and
 * meanAbsolute) are recomputed from the window every resyncInterval(window) samples of a key. The
 * schedule depends only on the absolute sample count, so every split of a stream resyncs at the
 * same samples. It is never shorter than the window, so a resync always sees a full window.
 * Mirrors DSPFN_WS_RESYNC_MIN in layers/dsp/src/families/windowed_stats/windowed_stats.h.
 */
export const RESYNC_MIN = 65_536;

export function resyncInterval(window: number): number {
  return window > RESYNC_MIN ? window : RESYNC_MIN;
}

/**
 * variance, stddev and zScore over windows up to this length compute each output from its own
 * window (mean, then the mean squared deviation, oldest sample first): no running sums, so a window
 * of 1 has variance exactly 0 and two nearly equal samples are not swamped by rounding. Mirrors
 * DSPFN_WS_DIRECT_MAX.
 */
export const DIRECT_WINDOW_MAX = 8;

export const zScoreOptions = z.strictObject({
  window: z.number().int().min(1).max(MAX_WINDOW).describe('samples per channel'),
  excludeCurrent: z
    .boolean()
    .default(false)
    .describe('true: mean and deviation of the `window` samples before the current one (a key\'s first sample gives 0)'),
  epsilon: z.number().positive().finite().default(1e-12).describe('floor of the standard deviation'),
});
