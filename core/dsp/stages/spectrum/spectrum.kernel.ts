import type { FrameReducer } from '../families/spectral/spectral.kernel.ts';
import { DB_PER_NEPER_POWER, ln } from '../families/spectral/spectral-math.ts';

export const SPECTRUM_OUTPUTS = ['power', 'magnitude', 'db'] as const;
export type SpectrumOutput = (typeof SPECTRUM_OUTPUTS)[number];

/** |X_k|², |X_k| or 10·log10(|X_k|² + 1e-20) for k = 0 … size/2 (stages/spectrum.c: spectrum_reduce). */
export function spectrumReducer(size: number, output: SpectrumOutput): FrameReducer {
  const bins = size / 2 + 1;
  return {
    perChannel: bins,
    carry: 0,
    reduce(power, out, at) {
      if (output === 'power') for (let k = 0; k < bins; k++) out[at + k] = power[k]!;
      else if (output === 'magnitude') for (let k = 0; k < bins; k++) out[at + k] = Math.sqrt(power[k]!);
      else for (let k = 0; k < bins; k++) out[at + k] = DB_PER_NEPER_POWER * ln(power[k]! + 1e-20);
    },
  };
}
