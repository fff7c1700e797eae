import { defineReference } from '../reference.ts';

/** y[n] = Σ h[k]·x[n−k] per channel in float64, straight from the formula (zeros before the first sample). */
function directFir(input: Float32Array, channels: number, h: readonly number[]): Float64Array {
  const out = new Float64Array(input.length);
  const frames = input.length / channels;
  for (let c = 0; c < channels; c++) {
    for (let n = 0; n < frames; n++) {
      let y = 0;
      for (let k = 0; k < h.length && k <= n; k++) y += h[k]! * input[(n - k) * channels + c]!;
      out[n * channels + c] = y;
    }
  }
  return out;
}

export const reference = defineReference('fir', {
  // 3 taps: no 8-tap block, all tail; 16: blocks only, no tail; 51 (the bench's filter): blocks
  // and a tail of 3. Every other length mod 8, and histories longer than the native 256-frame pass,
  // are swept on every path by fir.native.test.ts (cheaper than more cases here under qemu).
  cases: [
    { coefficients: [0.5, -0.25, 0.125] },
    { design: { type: 'bandpass', cutoff: [50, 150], taps: 16, window: 'blackman', sampleRate: 1000 } },
    { design: { type: 'lowpass', cutoff: 100, taps: 51, sampleRate: 1000 } },
  ],
  definition: (input, channels, { coefficients }) => directFir(input, channels, coefficients),
  definitionBound: 1e-7,
  bench: {
    options: { design: { type: 'lowpass', cutoff: 100, taps: 51, sampleRate: 1000 } },
    goal: { label: 'FIR (51 taps)', minPlainRatio: { 1: 10, 8: 10 }, source: 'issue 10' },
    // The loop a user writes without dspfn: per channel a buffer of the last T−1 samples followed by
    // the block, and for each output the sum over the taps.
    plain: ({ coefficients }, channels) => {
      const h = Float64Array.from(coefficients);
      const taps = h.length;
      const buffers = Array.from({ length: channels }, () => new Float64Array(taps - 1 + 1024));
      return (input, output) => {
        const frames = input.length / channels;
        for (let c = 0; c < channels; c++) {
          const x = buffers[c]!;
          for (let n = 0; n < frames; n++) x[taps - 1 + n] = input[n * channels + c]!;
          for (let n = 0; n < frames; n++) {
            let sum = 0;
            for (let k = 0; k < taps; k++) sum += h[k]! * x[taps - 1 + n - k]!;
            output[n * channels + c] = sum;
          }
          x.copyWithin(0, frames, frames + taps - 1);
        }
      };
    },
  },
});
