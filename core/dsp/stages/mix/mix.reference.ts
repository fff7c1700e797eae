import { defineReference } from '../reference.ts';

function directMix(input: Float32Array, matrix: readonly (readonly number[])[]): Float64Array {
  const C = matrix[0]!.length;
  const R = matrix.length;
  const frames = input.length / C;
  const out = new Float64Array(frames * R);
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < R; r++) out[f * R + r] = matrix[r]!.reduce((acc, m, c) => acc + m * input[f * C + c]!, 0);
  }
  return out;
}

/** 8 outputs of a 5-channel input (more than a vector of rows, with a tail), uneven coefficients. */
const WIDE = Array.from({ length: 9 }, (_, r) => Array.from({ length: 5 }, (_, c) => ((r + 1) * (c + 2)) % 7 - 3.25 + r * 0.01));

export const reference = defineReference('mix', {
  // 1 → 1 (a gain), a stereo downmix 2 → 1, common-average re-referencing 3 → 3, and 5 → 9.
  cases: [
    { matrix: [[-0.37]] },
    { matrix: [[0.5, 0.5]] },
    { matrix: [[2 / 3, -1 / 3, -1 / 3], [-1 / 3, 2 / 3, -1 / 3], [-1 / 3, -1 / 3, 2 / 3]] },
    { matrix: WIDE },
  ],
  definition: (input, _channels, { matrix }) => directMix(input, matrix),
  definitionBound: 1e-6,
  bench: {
    // Common-average reference of 8 channels: 8 → 8.
    options: { matrix: Array.from({ length: 8 }, (_, r) => Array.from({ length: 8 }, (_, c) => (r === c ? 7 / 8 : -1 / 8))) },
    plain: ({ matrix }, channels) => {
      const R = matrix.length;
      const m = Float64Array.from(matrix.flat());
      return (input, output) => {
        const frames = input.length / channels;
        for (let f = 0; f < frames; f++) {
          for (let r = 0; r < R; r++) {
            let acc = 0;
            for (let c = 0; c < channels; c++) acc += m[r * channels + c]! * input[f * channels + c]!;
            output[f * R + r] = acc;
          }
        }
      };
    },
  },
});
