import * as z from 'zod';
import { bitExact, defineStage } from '../descriptor.ts';
import { SpectralKernel } from '../families/spectral/spectral.kernel.ts';
import { hop, hopRate, perChannelOutputs, size, window } from '../families/spectral/spectral.options.ts';
import { SPECTRUM_OUTPUTS, spectrumReducer } from './spectrum.kernel.ts';

export const spectrum = defineStage({
  name: 'spectrum',
  stateVersion: 0,
  options: z
    .strictObject({
      size,
      hop,
      window,
      output: z.enum(SPECTRUM_OUTPUTS).default('power').describe("'power' |X|², 'magnitude' |X|, 'db' 10·log10(|X|² + 1e-20)"),
    })
    .transform((o) => ({ size: o.size, hop: o.hop ?? o.size, window: o.window, output: o.output })),
  channels: perChannelOutputs(({ size }: { size: number }) => size / 2 + 1, 'C → C·(size/2 + 1), channel-major'),
  rate: hopRate,
  inPlace: false,
  kernel: ({ size, hop, window, output }, channels) => new SpectralKernel('spectrum', channels, size, hop, window, spectrumReducer(size, output)),
  exactness: bitExact,
  doc: {
    formula:
      'per frame k (the key\'s samples `[k·hop, k·hop + size)`, emitted when its last sample arrives) and channel: bins 0 … size/2 of `rfft(w·x)` as `|X|²`, `|X|` or `10·log10(|X|² + 1e-20)`; the FFT in float64',
    state: 'f64 count, per channel the f32 samples of the frame in progress (< size)',
    simd: 'our radix-4 real FFT in float64 lanes (butterflies side by side)',
  },
});
