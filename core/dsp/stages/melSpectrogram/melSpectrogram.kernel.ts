import type { FrameReducer } from '../families/spectral/spectral.kernel.ts';
import { melFilters, melLogs } from '../families/spectral/mel.ts';

/** ln(mel power + 1e-10) per band (stages/melSpectrogram.c). */
export function melReducer(size: number, sampleRate: number, melBands: number): FrameReducer {
  const filters = melFilters(size, sampleRate, melBands);
  const logs = new Float64Array(melBands);
  return {
    perChannel: melBands,
    carry: 0,
    reduce(power, out, at) {
      melLogs(filters, power, logs);
      for (let m = 0; m < melBands; m++) out[at + m] = logs[m]!;
    },
  };
}
