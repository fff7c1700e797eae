import { BlockWindowKernel } from './block-window.ts';

/**
 * min and max over the last `window` samples (BlockWindowKernel's blocks): `pre`, the running
 * extreme of the current block, and `suf[j]`, the previous block's extremes over its positions
 * j … window−1, so y = best(suf[p+1], pre), or pre while the window lies in one block: three
 * comparisons per sample, none of them data-dependent branches, so the native paths run channels in
 * vector lanes. layers/dsp/src/families/windowed_stats/extrema_loop.h makes the same comparisons in
 * the same order: best(a, b) = a > b ? a : b for max, a < b ? a : b for min (NaN and ±0 follow these
 * expressions), pre = best(pre, x), suf[j] = best(ring[j], suf[j+1]).
 */
export class ExtremaKernel extends BlockWindowKernel {
  private readonly suffix: Float32Array;
  private readonly pre: Float32Array;

  constructor(
    channels: number,
    window: number,
    private readonly kind: 'min' | 'max',
  ) {
    super(channels, window, kind);
    this.suffix = new Float32Array(window * channels);
    this.pre = new Float32Array(channels);
  }

  protected run(input: Float32Array, output: Float32Array, c: number): void {
    if (this.kind === 'max') this.runMax(input, output, c);
    else this.runMin(input, output, c);
  }

  // Two monomorphic loops (the comparison is the only difference): V8 keeps each tight.
  private runMax(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: C, window: W, ring, suffix } = this;
    let count = this.count;
    let p = count % W;
    let pre = this.pre[c]!;
    for (let i = c; i < input.length; i += C) {
      const x = input[i]!;
      ring[p * C + c] = x;
      pre = p === 0 ? x : pre > x ? pre : x;
      let y = pre;
      if (count >= W && p !== W - 1) {
        const s = suffix[(p + 1) * C + c]!;
        y = s > pre ? s : pre;
      }
      output[i] = y;
      count++;
      if (++p === W) {
        p = 0;
        this.suffixes(c, 0);
      }
    }
    this.pre[c] = pre;
  }

  private runMin(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: C, window: W, ring, suffix } = this;
    let count = this.count;
    let p = count % W;
    let pre = this.pre[c]!;
    for (let i = c; i < input.length; i += C) {
      const x = input[i]!;
      ring[p * C + c] = x;
      pre = p === 0 ? x : pre < x ? pre : x;
      let y = pre;
      if (count >= W && p !== W - 1) {
        const s = suffix[(p + 1) * C + c]!;
        y = s < pre ? s : pre;
      }
      output[i] = y;
      count++;
      if (++p === W) {
        p = 0;
        this.suffixes(c, 0);
      }
    }
    this.pre[c] = pre;
  }

  /** suf[j] for j = W−1 down to `from`. */
  private suffixes(c: number, from: number): void {
    const { inChannels: C, window: W, ring, suffix } = this;
    let s = ring[(W - 1) * C + c]!;
    suffix[(W - 1) * C + c] = s;
    for (let j = W - 2; j >= from; j--) {
      const r = ring[j * C + c]!;
      s = this.kind === 'max' ? (r > s ? r : s) : r < s ? r : s;
      suffix[j * C + c] = s;
    }
  }

  protected rebuild(): void {
    const { inChannels: C, window: W, ring } = this;
    const p = this.count % W;
    this.pre.fill(0);
    this.suffix.fill(0);
    for (let c = 0; c < C; c++) {
      let pre = 0;
      for (let k = 0; k < p; k++) {
        const x = ring[k * C + c]!;
        pre = k === 0 ? x : this.kind === 'max' ? (pre > x ? pre : x) : pre < x ? pre : x;
      }
      this.pre[c] = pre;
      if (this.count >= W) this.suffixes(c, p);
    }
  }
}
