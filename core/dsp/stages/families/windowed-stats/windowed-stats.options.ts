import * as z from 'zod';
import { MAX_WINDOW } from '../moving-window/moving-window.options.ts';

export { windowOptions } from '../moving-window/moving-window.options.ts';

export const zScoreOptions = z.strictObject({
  window: z.number().int().min(1).max(MAX_WINDOW).describe('samples per channel'),
  excludeCurrent: z
    .boolean()
    .default(false)
    .describe('true: mean and deviation of the `window` samples before the current one (a key\'s first sample gives 0)'),
  epsilon: z.number().positive().finite().default(1e-12).describe('floor of the standard deviation'),
});
