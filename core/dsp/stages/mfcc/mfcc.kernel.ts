import type { FrameReducer } from '../families/spectral/spectral.kernel.ts';
import { dctRows, dctScale, melFilters, melLogs } from '../families/spectral/mel.ts';

/** The orthonormal DCT-II of the log mel bands, coefficients 0 … n−1 (stages/mfcc.c). */
export function mfccReducer(size: number, sampleRate: number, melBands: number, coefficients: number): FrameReducer {
  const filters = melFilters(size, sampleRate, melBands);
  const rows = dctRows(coefficients, melBands);
  const scale = Float64Array.from({ length: coefficients }, (_, j) => dctScale(j, melBands));
  const logs = new Float64Array(melBands);
  return {
    perChannel: coefficients,
    carry: 0,
    reduce(power, out, at) {
      melLogs(filters, power, logs);
      for (let j = 0; j < coefficients; j++) {
        let sum = 0;
        for (let m = 0; m < melBands; m++) sum += logs[m]! * rows[j * melBands + m]!;
        out[at + j] = sum * scale[j]!;
      }
    },
  };
}
