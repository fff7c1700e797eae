import { defineReference } from '../reference.ts';

export const reference = defineReference('select', {
  // One channel (any input), a reorder with a repeat (output wider than the input on 1 channel),
  // and channel 4 (refused below 5 channels).
  cases: [{ channels: [0] }, { channels: [0, 0, 0] }, { channels: [4, 0, 2] }],
  definition: (input, channels, params) => {
    const frames = input.length / channels;
    const R = params.channels.length;
    const out = new Float64Array(frames * R);
    for (let f = 0; f < frames; f++) params.channels.forEach((c, j) => (out[f * R + j] = input[f * channels + c]!));
    return out;
  },
  definitionBound: 0,
  bench: {
    options: { channels: [0, 0] },
    plain: ({ channels: index }, channels) => (input, output) => {
      const R = index.length;
      const frames = input.length / channels;
      for (let f = 0; f < frames; f++) {
        for (let j = 0; j < R; j++) output[f * R + j] = input[f * channels + index[j]!]!;
      }
    },
  },
});
