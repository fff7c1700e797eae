import * as z from 'zod';
import { bitExact, defineStage, sameRate, type ChannelRule } from '../descriptor.ts';
import { SelectKernel } from './select.kernel.ts';

/** Mirrors SELECT_MAX_CHANNELS in layers/dsp/src/stages/select.c. */
export const MAX_SELECT = 4096;

const options = z.strictObject({
  channels: z
    .array(z.number().int().min(0).max(MAX_SELECT - 1))
    .min(1)
    .max(MAX_SELECT)
    .describe('input channel indexes (from 0) in output order; an index may repeat'),
});

type SelectParams = z.output<typeof options>;

/** As many channels out as indexes; every index must name an input channel. */
const selectChannels: ChannelRule<SelectParams> = {
  doc: 'any → one per index',
  out: (inChannels, { channels }) => {
    const bad = channels.filter((i) => i >= inChannels);
    if (bad.length > 0) {
      return { error: `needs channel indexes below its input's ${inChannels} channel(s), but got ${[...new Set(bad)].join(', ')}` };
    }
    return channels.length;
  },
};

export const select = defineStage({
  name: 'select',
  stateVersion: 0,
  options,
  channels: selectChannels,
  rate: sameRate,
  kernel: ({ channels }, inChannels) => new SelectKernel(inChannels, channels),
  exactness: bitExact,
  doc: {
    formula: '`y[n][j] = x[n][channels[j]]`: the listed input channels, in the listed order (copies, bit for bit)',
    state: 'none',
    simd: 'none needed: a copy (no arithmetic)',
  },
});
