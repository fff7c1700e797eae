import { WindowFeatureKernel } from '../families/window-features/window-features.kernel.ts';

/** Σ (i − (m − 1)/2)² over i = 0 … m − 1: the least-squares denominator of m samples. */
export function slopeDenominator(m: number): number {
  return (m * (m * m - 1)) / 12;
}

/**
 * linearSlope: the least-squares slope (per sample) of the last m = min(n + 1, W) samples against
 * their index, y = Σ (i − (m − 1)/2)·x_i / Σ (i − (m − 1)/2)², 0 for a single sample.
 *
 * The two windowed sums Σx and Σi·x come from the family's blocks (window-features.kernel.ts), with
 * i the sample's position in its block (so i·x is exact: i < 2²⁰, x float32), and the centred
 * numerator is formed from them per output. While the key warms up (its first block) the window is
 * the block so far: N = P1 − (p/2)·P0 with p the position. Afterwards the window is the previous
 * block's positions j = p + 1 … W − 1 and the current block's 0 … p:
 *   N = (Q1[j] − (j + h)·Q0[j]) + (P1 + (h − p)·P0),   h = (W − 1)/2,
 * y = N / D(W). No running sum survives a block, so long streams do not drift; at a DC offset the
 * sums of float32 samples are exact (their values share a coarse grid), so is N, and y is N/D
 * rounded once (tested at 1e5 over long streams).
 */
export class LinearSlopeKernel extends WindowFeatureKernel {
  private readonly half: number;
  private readonly full: number;

  constructor(channels: number, window: number) {
    super({ name: 'linearSlope', channels, outChannels: channels, window, history: 0, sums: 2 });
    this.half = (window - 1) * 0.5;
    this.full = slopeDenominator(window);
  }

  protected term(k: number, x: number, _h1: number, _h2: number, i: number): number {
    return k === 0 ? x : i * x;
  }

  process(input: Float32Array, output: Float32Array): number {
    const { inChannels: C, window: W, ringLength: R, ring, suffix, terms, prefix, half, full } = this;
    const frames = input.length / C;
    for (let c = 0; c < C; c++) {
      const base = c * R;
      const q0 = c * (W + 1) + 1;
      const q1 = (C + c) * (W + 1) + 1;
      const t0 = c * W;
      const t1 = (C + c) * W;
      let a = this.count;
      let pos = a % W;
      let slot = a % R;
      let s0 = prefix[c]!;
      let s1 = prefix[C + c]!;
      for (let i = c; i < input.length; i += C) {
        const x = input[i]!;
        if (pos === 0) {
          s0 = 0;
          s1 = 0;
        }
        const ix = pos * x;
        terms[t0 + pos] = x;
        terms[t1 + pos] = ix;
        s0 += x;
        s1 += ix;
        if (a < W) {
          output[i] = pos === 0 ? 0 : (s1 - pos * 0.5 * s0) / slopeDenominator(pos + 1);
        } else {
          output[i] = (suffix[q1 + pos]! - (pos + 1 + half) * suffix[q0 + pos]! + (s1 + (half - pos) * s0)) / full;
        }
        ring[base + slot] = x;
        a++;
        if (++slot === R) slot = 0;
        if (++pos === W) {
          pos = 0;
          this.rebuild(c, 1);
        }
      }
      prefix[c] = s0;
      prefix[C + c] = s1;
    }
    this.count += frames;
    return frames;
  }
}
