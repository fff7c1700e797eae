import * as z from 'zod';
import type { ChannelRule } from '../../descriptor.ts';

/** Mirrors DSPFN_WF_MAX_WINDOW in layers/dsp/src/families/window_features/window_features.h. */
export const MAX_WINDOW = 1_048_576;
/** Mirrors DSPFN_WF_MAX_SAMPLES: window × channels, which sizes the state (about 20 bytes a sample per sum). */
export const MAX_SAMPLES = 16_777_216;

export const windowOption = z.number().int().min(1).max(MAX_WINDOW).describe('samples per channel');

/** Any number of channels in, as many out, while the windows of all channels fit MAX_SAMPLES. */
export const windowChannels: ChannelRule<{ readonly window: number }> = {
  doc: 'any → same',
  out: (inChannels, { window }) =>
    window * inChannels <= MAX_SAMPLES ? inChannels : { error: `needs window × channels at most ${MAX_SAMPLES}, but it is ${window} × ${inChannels}` },
};
