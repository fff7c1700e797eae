import * as z from 'zod';
import { bitExact, defineStage } from '../descriptor.ts';
import { SpectralKernel } from '../families/spectral/spectral.kernel.ts';
import { hop, hopRate, perChannelOutputs, sampleRate, size, window } from '../families/spectral/spectral.options.ts';
import { FEATURES, featuresReducer } from './spectralFeatures.kernel.ts';

export const spectralFeatures = defineStage({
  name: 'spectralFeatures',
  stateVersion: 0,
  options: z
    .strictObject({
      size,
      hop,
      window,
      sampleRate,
      features: z
        .array(z.enum(FEATURES))
        .min(1)
        .max(FEATURES.length)
        .refine((list) => new Set(list).size === list.length, 'names a feature twice')
        .default([...FEATURES])
        .describe('which features, in output order'),
    })
    .transform((o) => ({ size: o.size, hop: o.hop ?? o.size, window: o.window, sampleRate: o.sampleRate, features: o.features })),
  channels: perChannelOutputs(({ features }: { features: readonly unknown[] }) => features.length, 'C → C·features, channel-major'),
  rate: hopRate,
  inPlace: false,
  inputRate: ({ sampleRate }) => sampleRate,
  kernel: ({ size, hop, window, sampleRate, features }, channels) =>
    new SpectralKernel('spectralFeatures', channels, size, hop, window, featuresReducer(size, sampleRate, features)),
  exactness: bitExact,
  doc: {
    formula:
      'per frame (as spectrum) and channel, with `P = |X_k|²`, `f = k·sampleRate/size`: centroid `Σf·P/ΣP`; rolloff the lowest f with `Σ_{j≤k} P_j ≥ 0.85·ΣP`; flatness `exp(mean ln P)/mean P`; flux `Σ(|X_k| − |X′_k|)²` against the previous frame. Silence (ΣP = 0): 0; the key\'s first frame: flux 0',
    state: 'as spectrum, plus |X| of the last frame per channel when flux is asked for',
    simd: 'the FFT as spectrum; sums in order; ln/exp ours (identical in TypeScript and C)',
  },
});
