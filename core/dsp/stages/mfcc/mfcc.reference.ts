import { defineReference } from '../reference.ts';
import { directMfcc } from '../families/spectral/mel.reference.ts';
import { asFloat32, flatten } from '../families/spectral/spectral.reference.ts';
import { plainMel } from '../melSpectrogram/melSpectrogram.reference.ts';

export const reference = defineReference('mfcc', {
  cases: [
    { size: 64, hop: 16, sampleRate: 1000, melBands: 8, coefficients: 8 },
    { size: 256, hop: 300, sampleRate: 22050, melBands: 40, coefficients: 13 },
  ],
  definition: (input, channels, { size, hop, sampleRate, melBands, coefficients }) =>
    asFloat32(flatten(directMfcc(input, channels, size, hop, sampleRate, melBands, coefficients))),
  definitionBound: 1e-6,
  // DCTs of natural logs (≈ −23 for silence, whose coefficients 1… are 0 in exact arithmetic and
  // rounding residue in any float64 evaluation): the bound is relative to that scale, not the input's.
  definitionScale: 30,
  bench: {
    options: { size: 1024, hop: 256, sampleRate: 16000, melBands: 40, coefficients: 13 },
    plain: ({ size, hop, sampleRate, melBands, coefficients }, channels) => plainMel(size, hop, sampleRate, melBands, channels, coefficients),
  },
});
