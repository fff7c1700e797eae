import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';
import { isSampleCount } from './window-sums.kernel.ts';

/**
 * min and max over the last `window` samples of each channel, warming up over the samples seen so
 * far, in O(1) per sample with no data-dependent branches (van Herk / Gil–Werman): the stream is cut
 * into blocks of `window` samples at absolute sample numbers k·window. Within the current block a
 * running extreme `pre` covers its samples so far; when a block completes, its suffix extremes
 * `suf[j]` (over positions j … window−1) are computed once. The window ending at block position p
 * is the previous block's positions p+1 … window−1 plus the current block's 0 … p, so
 *   y = p = window − 1 (or the first block) ? pre : best(suf[p+1], pre).
 * Three comparisons per sample, the same for every channel, so the native paths run channels in
 * vector lanes. layers/dsp/src/families/windowed_stats/extrema.c performs the same comparisons in
 * the same order: best(a, b) = a > b ? a : b for max, a < b ? a : b for min (NaN and ±0 follow
 * these expressions), pre = best(pre, x), suf[j] = best(ring[j], suf[j+1]).
 *
 * State: u32 channels · u32 window · f64 count (frames seen) · f32 ring of window × channels,
 * frame-major (as WindowSumsKernel). `pre` and `suf` are not in it: restore rebuilds them from the
 * ring with the same comparisons (the current block's samples and the previous block's positions
 * still in the window are all there), so they come back bit for bit.
 */
export class ExtremaKernel implements StageKernel {
  readonly outChannels: number;
  private count = 0;
  private readonly ring: Float32Array;
  private readonly suffix: Float32Array;
  private readonly pre: Float32Array;

  constructor(
    readonly inChannels: number,
    private readonly window: number,
    private readonly kind: 'min' | 'max',
  ) {
    this.outChannels = inChannels;
    this.ring = new Float32Array(window * inChannels);
    this.suffix = new Float32Array(window * inChannels);
    this.pre = new Float32Array(inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    for (let c = 0; c < channels; c++) {
      if (this.kind === 'max') this.runMax(input, output, c);
      else this.runMin(input, output, c);
    }
    const frames = input.length / channels;
    this.count += frames;
    return frames;
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

  /** suf[j] for j = window−1 down to `from`, over the ring of channel c. */
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

  snapshot(): Uint8Array {
    return new ByteWriter(16 + 4 * this.ring.length).u32(this.inChannels).u32(this.window).f64(this.count).f32Array(this.ring).finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, `${this.kind} state`);
    const channels = input.u32();
    const window = input.u32();
    if (channels !== this.inChannels || window !== this.window) {
      throw new SnapshotError(`${this.kind} state is for ${channels} channel(s) × window ${window}, stage has ${this.inChannels} × ${this.window}`);
    }
    const count = input.f64();
    const ring = new Float32Array(this.ring.length);
    input.f32Into(ring);
    input.expectEnd();
    if (!isSampleCount(count)) throw new SnapshotError(`${this.kind} state holds a sample count that is not a whole number >= 0`);
    this.count = count;
    this.ring.set(ring);
    this.rebuild();
  }

  /**
   * pre and suf from the ring, as the running kernel has them: pre over the current block's
   * positions 0 … p−1 in order, suf over the previous block's positions still in the window.
   */
  private rebuild(): void {
    const { inChannels: C, window: W, ring } = this;
    const p = this.count % W;
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
