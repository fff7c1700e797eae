import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';

export interface WindowShape {
  /** The stage name, for snapshot errors. */
  readonly name: string;
  /** Input channels, each with its own ring and sums. */
  readonly channels: number;
  readonly outChannels: number;
  /** W: samples in the window (of terms). */
  readonly window: number;
  /** H: samples before a sample its terms read (0, 1 or 2). A sample's terms are 0 until H samples precede it. */
  readonly history: number;
  /** K: float64 sums per channel (1 or 2). */
  readonly sums: number;
}

/**
 * The sliding sums behind waveformLength, slopeSignChange, willisonAmplitude, linearSlope and snr
 * (the C counterpart is layers/dsp/src/families/window_features/). Each sample n of a channel
 * contributes K float64 terms t[n] (a function of x[n] and the H samples before it); an output
 * needs, per term, the sum over the last W samples (fewer while the key warms up).
 *
 * No running sum, so nothing drifts: the key's stream is cut into blocks of W samples (block b holds
 * samples bW … bW + W − 1), and the window ending at position p of the current block is the previous
 * block's positions p + 1 … W − 1 plus the current block's 0 … p. So every output is
 *   suffix[p + 1] + prefix[p]
 * where prefix[p] = ((0 + t[0]) + t[1]) + … + t[p] over the current block, and suffix[i] = ((0 +
 * t[W − 1]) + t[W − 2]) + … + t[i] over the previous block, computed once when that block ends
 * (suffix[W] = 0; zeros before the first block ends). Each sum spans at most W terms and restarts
 * every block: the error is that of a direct sum of the window, whatever the stream's length, and
 * a window of exact zeros sums to exactly 0. Block boundaries depend only on the absolute sample
 * index, so every split of a stream computes the same sums.
 *
 * The hot loops keep the current block's terms (`terms`), so the suffix sums are a backward scan of
 * them when the block ends. State (the snapshot): the last W + H samples of each channel; terms,
 * prefix and suffix sums are derived from them (on restore they are recomputed, adding in the same
 * order).
 *   u32 channels · u32 window · f64 count (frames seen) · per channel f32 ring[W + H]
 * (sample n in slot n mod (W + H); zeros before the first sample).
 */
export abstract class WindowFeatureKernel implements StageKernel {
  readonly inChannels: number;
  readonly outChannels: number;
  protected count = 0;
  protected readonly window: number;
  protected readonly history: number;
  protected readonly sums: number;
  /** W + H */
  protected readonly ringLength: number;
  /** Channel-major: ring[c · (W + H) + slot]. */
  protected readonly ring: Float32Array;
  /** suffix[(k · channels + c) · (W + 1) + i]: term k's suffix sums over the last complete block. */
  protected readonly suffix: Float64Array;
  /** terms[(k · channels + c) · W + i]: term k of the current block's sample at position i. */
  protected readonly terms: Float64Array;
  /** prefix[k · channels + c]: term k's sum over the current block so far. */
  protected readonly prefix: Float64Array;
  private readonly name: string;

  constructor(shape: WindowShape) {
    this.name = shape.name;
    this.inChannels = shape.channels;
    this.outChannels = shape.outChannels;
    this.window = shape.window;
    this.history = shape.history;
    this.sums = shape.sums;
    this.ringLength = shape.window + shape.history;
    this.ring = new Float32Array(shape.channels * this.ringLength);
    this.suffix = new Float64Array(shape.sums * shape.channels * (shape.window + 1));
    this.terms = new Float64Array(shape.sums * shape.channels * shape.window);
    this.prefix = new Float64Array(shape.sums * shape.channels);
  }

  /**
   * Term k of a sample at block position i, from the sample x and the one (h1) and two (h2) before
   * it. Called only once H samples precede it; the hot loops compute the same expression.
   */
  protected abstract term(k: number, x: number, h1: number, h2: number, i: number): number;

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  abstract process(input: Float32Array, output: Float32Array): number;

  /** The sample of channel c with absolute index a (a ≥ count − W − H). */
  protected sample(c: number, a: number): number {
    return a < 0 ? 0 : this.ring[c * this.ringLength + (a % this.ringLength)]!;
  }

  /**
   * Channel c's suffix sums of the block whose terms `terms` holds, for positions W − 1 down to
   * `lowest` (≥ 1): called when the block ends (lowest 1), and on restore for the positions ahead.
   */
  protected rebuild(c: number, lowest: number): void {
    const { window: W, sums: K, inChannels: C, terms, suffix } = this;
    for (let k = 0; k < K; k++) {
      const t = (k * C + c) * W;
      const q = (k * C + c) * (W + 1);
      let acc = 0;
      for (let i = W - 1; i >= lowest; i--) {
        acc += terms[t + i]!;
        suffix[q + i] = acc;
      }
    }
  }

  /** Channel c's terms of the sample with absolute index a at block position i, from the ring. */
  private termsAt(c: number, a: number, i: number): void {
    const { window: W, history: H, sums: K, inChannels: C } = this;
    const x = this.sample(c, a);
    const h1 = this.sample(c, a - 1);
    const h2 = this.sample(c, a - 2);
    for (let k = 0; k < K; k++) this.terms[(k * C + c) * W + i] = a >= H ? this.term(k, x, h1, h2, i) : 0;
  }

  /**
   * The arrays the hot loops carry, recomputed from the ring for `count` frames seen: the previous
   * block's terms at positions p + 1 … W − 1 and its suffix sums there, the current block's terms
   * at 0 … p − 1 and their prefix sums.
   */
  private derive(): void {
    const { window: W, sums: K, inChannels: C, count } = this;
    const pos = count % W;
    const start = count - pos;
    this.suffix.fill(0);
    for (let c = 0; c < C; c++) {
      if (start >= W) {
        for (let i = W - 1; i > pos; i--) this.termsAt(c, start - W + i, i);
        this.rebuild(c, pos + 1);
      }
      for (let i = 0; i < pos; i++) this.termsAt(c, start + i, i);
      for (let k = 0; k < K; k++) {
        const t = (k * C + c) * W;
        let acc = 0;
        for (let i = 0; i < pos; i++) acc += this.terms[t + i]!;
        this.prefix[k * C + c] = acc;
      }
    }
  }

  snapshot(): Uint8Array {
    return new ByteWriter(16 + 4 * this.ring.length).u32(this.inChannels).u32(this.window).f64(this.count).f32Array(this.ring).finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, `${this.name} state`);
    const channels = input.u32();
    const window = input.u32();
    if (channels !== this.inChannels || window !== this.window) {
      throw new SnapshotError(`${this.name} state is for ${channels} channel(s) × window ${window}, stage has ${this.inChannels} × ${this.window}`);
    }
    // Everything is read and checked before the state changes, so a refused snapshot leaves it intact.
    const count = input.f64();
    const ring = new Float32Array(this.ring.length);
    input.f32Into(ring);
    input.expectEnd();
    if (!(Number.isInteger(count) && count >= 0 && count <= 2 ** 53)) {
      throw new SnapshotError(`${this.name} state holds a sample count that is not a whole number >= 0`);
    }
    this.count = count;
    this.ring.set(ring);
    this.derive();
  }
}
