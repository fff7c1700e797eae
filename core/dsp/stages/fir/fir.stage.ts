import { bitExact, defineStage, sameChannels, sameRate } from '../descriptor.ts';
import { FirKernel } from './fir.kernel.ts';
import { firOptions } from './fir.options.ts';

export const fir = defineStage({
  name: 'fir',
  stateVersion: 0,
  options: firOptions,
  channels: sameChannels,
  rate: sameRate,
  kernel: ({ coefficients }, channels) => new FirKernel(channels, coefficients),
  exactness: bitExact,
  doc: {
    formula:
      '`y[n] = Σ h[k]·x[n−k]`, zeros before the key\'s first sample; float64 products and sums in a fixed order (8 partial sums over the taps, then the last taps mod 8), rounded once to float32',
    state: 'per channel the last taps−1 samples (f32, exact)',
    simd: 'dot products along the taps (AVX2 2 × 4, SSE2 and NEON 4 × 2 float64 lanes), 4 outputs at once (SSE2: 2)',
  },
});
