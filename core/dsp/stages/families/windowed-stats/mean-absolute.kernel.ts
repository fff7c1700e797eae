import { BlockWindowKernel } from './block-window.ts';

/**
 * meanAbsolute over the last `window` samples (BlockWindowKernel's blocks): P, the sum of |x| over
 * the current block's prefix, and U[j], the previous block's sums over its positions j … window−1,
 * both in float64; y = (U[p+1] + P) / window, or P / m while the window lies in one block.
 * layers/dsp/src/families/windowed_stats/sums_loop.h performs the same operations in the same order.
 */
export class MeanAbsoluteKernel extends BlockWindowKernel {
  private readonly prefix: Float64Array;
  private readonly suffix: Float64Array;

  constructor(channels: number, window: number) {
    super(channels, window, 'meanAbsolute');
    this.prefix = new Float64Array(channels);
    this.suffix = new Float64Array(window * channels);
  }

  protected run(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: C, window: W, ring, suffix } = this;
    let count = this.count;
    let p = count % W;
    let sum = this.prefix[c]!;
    for (let i = c; i < input.length; i += C) {
      const x = input[i]!;
      ring[p * C + c] = x;
      sum = p === 0 ? Math.abs(x) : sum + Math.abs(x);
      output[i] = count < W || p === W - 1 ? sum / (p + 1) : (suffix[(p + 1) * C + c]! + sum) / W;
      count++;
      if (++p === W) {
        p = 0;
        this.suffixes(c, 0);
      }
    }
    this.prefix[c] = sum;
  }

  /** U[j] for j = W−1 down to `from`. */
  private suffixes(c: number, from: number): void {
    const { inChannels: C, window: W, ring, suffix } = this;
    let u = 0;
    for (let j = W - 1; j >= from; j--) {
      u = u + Math.abs(ring[j * C + c]!);
      suffix[j * C + c] = u;
    }
  }

  protected rebuild(): void {
    const { inChannels: C, window: W, ring } = this;
    const p = this.count % W;
    this.prefix.fill(0);
    this.suffix.fill(0);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let k = 0; k < p; k++) sum = k === 0 ? Math.abs(ring[c]!) : sum + Math.abs(ring[k * C + c]!);
      this.prefix[c] = sum;
      if (this.count >= W) this.suffixes(c, p);
    }
  }
}
