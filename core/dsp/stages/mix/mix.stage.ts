import * as z from 'zod';
import { bitExact, defineStage, sameRate, type ChannelRule } from '../descriptor.ts';
import { MixKernel } from './mix.kernel.ts';

/** Mirrors MIX_MAX_CHANNELS in layers/dsp/src/stages/mix.c: rows and columns each. */
export const MAX_MIX = 1024;

const options = z.strictObject({
  matrix: z
    .array(z.array(z.number().finite()).min(1).max(MAX_MIX))
    .min(1)
    .max(MAX_MIX)
    .refine((rows) => rows.every((row) => row.length === rows[0]!.length), 'every row of the matrix needs as many columns as the first')
    .describe('one row per output channel, one column per input channel: `y = M·x` per frame'),
});

type MixParams = z.output<typeof options>;

const mixChannels: ChannelRule<MixParams> = {
  doc: 'columns → rows',
  out: (inChannels, { matrix }) => {
    const columns = matrix[0]!.length;
    if (inChannels !== columns) {
      return { error: `needs ${columns}-channel input (its matrix has ${columns} column(s)), but its input has ${inChannels} channel(s)` };
    }
    return matrix.length;
  },
};

export const mix = defineStage({
  name: 'mix',
  stateVersion: 0,
  options,
  channels: mixChannels,
  rate: sameRate,
  kernel: ({ matrix }) => new MixKernel(matrix),
  exactness: bitExact,
  doc: {
    formula: '`y[n][r] = Σ_c M[r][c]·x[n][c]`, accumulated in float64 from column 0 up (starting from the first product), rounded once to float32',
    state: 'none',
    simd: 'output channels in float64 lanes, each adding its products in column order',
  },
});
