import * as z from 'zod';
import { bitExact, defineStage } from '../descriptor.ts';
import { checkMelBands, MAX_MEL_BANDS, melBands } from '../families/spectral/mel.options.ts';
import { SpectralKernel } from '../families/spectral/spectral.kernel.ts';
import { hop, hopRate, perChannelOutputs, sampleRate, size } from '../families/spectral/spectral.options.ts';
import { mfccReducer } from './mfcc.kernel.ts';

export const mfcc = defineStage({
  name: 'mfcc',
  stateVersion: 0,
  options: z
    .strictObject({
      size,
      hop,
      sampleRate,
      melBands,
      coefficients: z.number().int().min(1).max(MAX_MEL_BANDS).describe('DCT coefficients kept (0 … coefficients−1), at most melBands'),
    })
    .superRefine((o, ctx) => {
      if (o.coefficients > o.melBands) ctx.addIssue({ code: 'custom', path: ['coefficients'], message: `${o.coefficients} coefficients need at least as many melBands (${o.melBands})` });
      checkMelBands(o, ctx);
    })
    .transform((o) => ({ size: o.size, hop: o.hop ?? o.size, sampleRate: o.sampleRate, melBands: o.melBands, coefficients: o.coefficients })),
  channels: perChannelOutputs(({ coefficients }: { coefficients: number }) => coefficients, 'C → C·coefficients, channel-major'),
  rate: hopRate,
  inPlace: false,
  inputRate: ({ sampleRate }) => sampleRate,
  kernel: ({ size, hop, sampleRate, melBands, coefficients }, channels) =>
    new SpectralKernel('mfcc', channels, size, hop, 'hann', mfccReducer(size, sampleRate, melBands, coefficients)),
  exactness: bitExact,
  doc: {
    formula:
      'per frame and channel: the orthonormal DCT-II of melSpectrogram\'s log bands, `c_j = s_j·Σ_m L_m·cos(π·j·(2m+1)/(2M))`, `s_0 = √(1/M)`, `s_j = √(2/M)`, j < coefficients',
    state: 'as spectrum',
    simd: 'the FFT as spectrum; filter and DCT sums in order',
  },
});
