import { WindowFeatureKernel } from './window-features.kernel.ts';

/** The features whose output is one windowed sum of one term per sample. */
export type TermKind = 'waveformLength' | 'slopeSignChange' | 'willisonAmplitude';

const HISTORY: Readonly<Record<TermKind, number>> = { waveformLength: 1, slopeSignChange: 2, willisonAmplitude: 1 };

/**
 * A sample's term, from x = x[n], h1 = x[n−1], h2 = x[n−2] (float32 values, float64 arithmetic):
 *   waveformLength     |x[n] − x[n−1]|
 *   willisonAmplitude  1 when |x[n] − x[n−1]| ≥ threshold, else 0
 *   slopeSignChange    1 when (x[n−1] − x[n−2])·(x[n−1] − x[n]) ≥ threshold, else 0: x[n−1] is a
 *                      turning point, counted when its next sample x[n] arrives
 * The C step (layers/dsp/src/stages/<name>.c) computes the same expressions.
 */
function termOf(kind: TermKind, x: number, h1: number, h2: number, threshold: number): number {
  switch (kind) {
    case 'waveformLength':
      return Math.abs(x - h1);
    case 'willisonAmplitude':
      return Math.abs(x - h1) >= threshold ? 1 : 0;
    case 'slopeSignChange':
      return (h1 - h2) * (h1 - x) >= threshold ? 1 : 0;
  }
}

/**
 * waveformLength, slopeSignChange and willisonAmplitude: y[n] = the sum of the terms of the last W
 * samples, t[n − W + 1] + … + t[n] (fewer while the key warms up), where a sample's term is 0 until
 * the samples it reads exist (the key's first sample for waveformLength and willisonAmplitude, its
 * first two for slopeSignChange). Sums are formed as the family describes (window-features.kernel.ts):
 * counts are exact, waveform lengths are sums of at most W terms.
 */
export class TermWindowKernel extends WindowFeatureKernel {
  constructor(
    private readonly kind: TermKind,
    channels: number,
    window: number,
    private readonly threshold: number,
  ) {
    super({ name: kind, channels, outChannels: channels, window, history: HISTORY[kind], sums: 1 });
  }

  protected term(_k: number, x: number, h1: number, h2: number): number {
    return termOf(this.kind, x, h1, h2, this.threshold);
  }

  process(input: Float32Array, output: Float32Array): number {
    const { kind, threshold, inChannels: C, window: W, history: H, ringLength: R, ring, suffix, terms, prefix } = this;
    const frames = input.length / C;
    for (let c = 0; c < C; c++) {
      const base = c * R;
      const q = c * (W + 1) + 1;
      const tc = c * W;
      let a = this.count;
      let pos = a % W;
      let slot = a % R;
      let h1 = this.sample(c, a - 1);
      let h2 = this.sample(c, a - 2);
      let sum = prefix[c]!;
      for (let i = c; i < input.length; i += C) {
        const x = input[i]!;
        if (pos === 0) sum = 0;
        const t = a >= H ? termOf(kind, x, h1, h2, threshold) : 0;
        terms[tc + pos] = t;
        sum += t;
        output[i] = suffix[q + pos]! + sum;
        ring[base + slot] = x;
        h2 = h1;
        h1 = x;
        a++;
        if (++slot === R) slot = 0;
        if (++pos === W) {
          pos = 0;
          this.rebuild(c, 1);
        }
      }
      prefix[c] = sum;
    }
    this.count += frames;
    return frames;
  }
}
