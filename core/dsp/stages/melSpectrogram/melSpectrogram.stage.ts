import * as z from 'zod';
import { bitExact, defineStage } from '../descriptor.ts';
import { checkMelBands, melBands } from '../families/spectral/mel.options.ts';
import { SpectralKernel } from '../families/spectral/spectral.kernel.ts';
import { hop, hopRate, perChannelOutputs, sampleRate, size } from '../families/spectral/spectral.options.ts';
import { melReducer } from './melSpectrogram.kernel.ts';

export const melSpectrogram = defineStage({
  name: 'melSpectrogram',
  stateVersion: 0,
  options: z
    .strictObject({ size, hop, sampleRate, melBands })
    .superRefine(checkMelBands)
    .transform((o) => ({ size: o.size, hop: o.hop ?? o.size, sampleRate: o.sampleRate, melBands: o.melBands })),
  channels: perChannelOutputs(({ melBands }: { melBands: number }) => melBands, 'C → C·melBands, channel-major'),
  rate: hopRate,
  inPlace: false,
  inputRate: ({ sampleRate }) => sampleRate,
  kernel: ({ size, hop, sampleRate, melBands }, channels) =>
    new SpectralKernel('melSpectrogram', channels, size, hop, 'hann', melReducer(size, sampleRate, melBands)),
  exactness: bitExact,
  doc: {
    formula:
      'per frame (as spectrum, Hann window) and channel: `ln(Σ_k w_m(k)·|X_k|² + 1e-10)` per band m, with triangular unit-peak filters on the HTK mel scale (`2595·log10(1 + f/700)`) equally spaced from 0 to sampleRate/2 (librosa `htk=True, norm=None`)',
    state: 'as spectrum',
    simd: 'the FFT as spectrum; filter sums in order; ln ours (identical in TypeScript and C)',
  },
});
