import type { FrameReducer } from '../families/spectral/spectral.kernel.ts';
import { binHz } from '../families/spectral/spectral.options.ts';

/** The bins [first, end) whose frequency k·sampleRate/size lies in [low, high) (empty: first = end). */
export function bandBins(low: number, high: number, sampleRate: number, size: number): { first: number; end: number } {
  let first = -1;
  let end = -1;
  for (let k = 0; k <= size / 2; k++) {
    const f = binHz(k, sampleRate, size);
    if (f >= low && f < high) {
      if (first < 0) first = k;
      end = k + 1;
    }
  }
  return first < 0 ? { first: 0, end: 0 } : { first, end };
}

/** Σ|X_k|² over each band's bins, in ascending k (stages/bandPower.c: band_power_reduce). */
export function bandPowerReducer(size: number, sampleRate: number, bands: readonly (readonly [number, number])[]): FrameReducer {
  const ranges = bands.map(([low, high]) => bandBins(low, high, sampleRate, size));
  return {
    perChannel: bands.length,
    carry: 0,
    reduce(power, out, at) {
      for (let b = 0; b < ranges.length; b++) {
        const { first, end } = ranges[b]!;
        let sum = 0;
        for (let k = first; k < end; k++) sum += power[k]!;
        out[at + b] = sum;
      }
    },
  };
}
