import * as z from 'zod';
import { bitExact, defineStage } from '../descriptor.ts';
import { SpectralKernel } from '../families/spectral/spectral.kernel.ts';
import { hop, hopRate, perChannelOutputs, sampleRate, size, window } from '../families/spectral/spectral.options.ts';
import { bandBins, bandPowerReducer } from './bandPower.kernel.ts';

/** Mirrors BAND_POWER_MAX_BANDS in layers/dsp/src/stages/bandPower.c. */
export const MAX_BANDS = 256;

const band = z.tuple([z.number().min(0), z.number()]).describe('[low, high) in Hz');

export const bandPower = defineStage({
  name: 'bandPower',
  stateVersion: 0,
  options: z
    .strictObject({
      size,
      hop,
      window,
      bands: z.array(band).min(1).max(MAX_BANDS).describe('each [low, high) in Hz: the bins whose frequency k·sampleRate/size lies in it'),
      sampleRate,
    })
    .superRefine((o, ctx) => {
      o.bands.forEach(([low, high], i) => {
        if (!(high > low)) ctx.addIssue({ code: 'custom', path: ['bands', i], message: `band [${low}, ${high}) needs high > low` });
        else if (bandBins(low, high, o.sampleRate, o.size).first === bandBins(low, high, o.sampleRate, o.size).end) {
          ctx.addIssue({
            code: 'custom',
            path: ['bands', i],
            message: `band [${low}, ${high}) holds no FFT bin (bins are ${o.sampleRate / o.size} Hz apart, from 0 to ${o.sampleRate / 2})`,
          });
        }
      });
    })
    .transform((o) => ({ size: o.size, hop: o.hop ?? o.size, window: o.window, bands: o.bands, sampleRate: o.sampleRate })),
  channels: perChannelOutputs(({ bands }: { bands: readonly unknown[] }) => bands.length, 'C → C·bands, channel-major'),
  rate: hopRate,
  inPlace: false,
  inputRate: ({ sampleRate }) => sampleRate,
  kernel: ({ size, hop, window, bands, sampleRate }, channels) =>
    new SpectralKernel('bandPower', channels, size, hop, window, bandPowerReducer(size, sampleRate, bands)),
  exactness: bitExact,
  doc: {
    formula: 'per frame (as spectrum) and channel, for each band `Σ |X_k|²` over the bins whose frequency `k·sampleRate/size` lies in `[low, high)`, summed in ascending k in float64',
    state: 'as spectrum',
    simd: 'the FFT as spectrum; band sums in order',
  },
});
