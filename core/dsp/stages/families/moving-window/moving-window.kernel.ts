import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';

/**
 * movingAverage and rms: a causal window over the last `window` samples of each channel (the C
 * counterpart is layers/dsp/src/families/moving_window/).
 *
 * How often the running sum is recomputed from the window. Sums are float64 over float32 inputs,
 * which is exact for most signals; the resync bounds drift for the rest. It depends only on the
 * channel's absolute sample count, so every split of a stream resyncs at the same samples.
 */
export const RESYNC_INTERVAL = 65536;

/**
 * rms windows up to this length use the direct definition: each output's sum of squares is
 * computed over its own window, s[n] = x[n-m+1]² + … + x[n]² (m = min(count, window)), added in
 * float64 from the oldest sample to the newest starting from 0. No running sum, so no drift and no
 * resync, and outputs do not depend on each other (the native kernels compute several per vector).
 * Longer windows (and movingAverage) keep the running sum, which costs O(1) per sample.
 */
export const DIRECT_WINDOW_MAX = 8;

/**
 * Causal sliding window over the last `window` samples of each channel, with warm-up
 * (the first samples average over what has been seen). `squared` turns the mean into RMS.
 *
 * State per channel: count (f64, samples seen), sum (f64), ring (f32 × window) where the sample
 * with absolute index n sits in slot n mod window. In the direct rms mode (window <=
 * DIRECT_WINDOW_MAX) the snapshot's sum is the direct sum of squares at the last sample (0 before
 * the first), computed from the ring when the snapshot is taken; restore ignores it.
 */
export class MovingWindowKernel implements StageKernel {
  readonly inChannels: number;
  readonly outChannels: number;
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private readonly ring: Float32Array;

  constructor(
    channels: number,
    private readonly window: number,
    private readonly squared: boolean,
  ) {
    this.inChannels = channels;
    this.outChannels = channels;
    this.counts = new Float64Array(channels);
    this.sums = new Float64Array(channels);
    this.ring = new Float32Array(channels * window);
  }

  private get direct(): boolean {
    return this.squared && this.window <= DIRECT_WINDOW_MAX;
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    const direct = this.direct;
    for (let c = 0; c < channels; c++) {
      if (direct) this.runSquaresDirect(input, output, c);
      else if (this.squared) this.runSquares(input, output, c);
      else this.runValues(input, output, c);
    }
    return input.length / channels;
  }

  // Two monomorphic loops instead of one with a per-sample branch: V8 keeps each tight.
  private runValues(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: channels, window, ring } = this;
    const base = c * window;
    let count = this.counts[c]!;
    let sum = this.sums[c]!;
    let slot = count % window;
    let untilResync = RESYNC_INTERVAL - (count % RESYNC_INTERVAL);
    for (let i = c; i < input.length; i += channels) {
      const x = input[i]!;
      sum = sum - ring[base + slot]! + x;
      ring[base + slot] = x;
      if (++slot === window) slot = 0;
      count++;
      if (--untilResync === 0) {
        sum = this.windowSum(base);
        untilResync = RESYNC_INTERVAL;
      }
      output[i] = sum / (count < window ? count : window);
    }
    this.counts[c] = count;
    this.sums[c] = sum;
  }

  private runSquares(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: channels, window, ring } = this;
    const base = c * window;
    let count = this.counts[c]!;
    let sum = this.sums[c]!;
    let slot = count % window;
    let untilResync = RESYNC_INTERVAL - (count % RESYNC_INTERVAL);
    for (let i = c; i < input.length; i += channels) {
      const x = input[i]!;
      const old = ring[base + slot]!;
      sum = sum - old * old + x * x;
      ring[base + slot] = x;
      if (++slot === window) slot = 0;
      count++;
      if (--untilResync === 0) {
        sum = this.windowSum(base);
        untilResync = RESYNC_INTERVAL;
      }
      output[i] = Math.sqrt((sum > 0 ? sum : 0) / (count < window ? count : window));
    }
    this.counts[c] = count;
    this.sums[c] = sum;
  }

  private runSquaresDirect(input: Float32Array, output: Float32Array, c: number): void {
    const { inChannels: channels, window, ring } = this;
    const base = c * window;
    const end = base + window;
    let count = this.counts[c]!;
    let slot = count % window;
    for (let i = c; i < input.length; i += channels) {
      ring[base + slot] = input[i]!;
      if (++slot === window) slot = 0;
      count++;
      let sum = 0;
      if (count >= window) {
        // The oldest sample of the window is in the slot written next.
        const mid = base + slot;
        for (let k = mid; k < end; k++) sum += ring[k]! * ring[k]!;
        for (let k = base; k < mid; k++) sum += ring[k]! * ring[k]!;
        output[i] = Math.sqrt((sum > 0 ? sum : 0) / window);
      } else {
        sum = this.directSum(c, count);
        output[i] = Math.sqrt((sum > 0 ? sum : 0) / count);
      }
    }
    this.counts[c] = count;
  }

  /**
   * The direct sum of squares over the last min(count, window) samples of channel c, oldest first
   * (0 before the first sample), where count is the number of samples it has seen.
   */
  private directSum(c: number, count: number): number {
    const window = this.window;
    const base = c * window;
    const m = count < window ? count : window;
    let k = (count - m) % window;
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const v = this.ring[base + k]!;
      sum += v * v;
      if (++k === window) k = 0;
    }
    return sum;
  }

  private windowSum(base: number): number {
    let sum = 0;
    for (let k = 0; k < this.window; k++) {
      const v = this.ring[base + k]!;
      sum += this.squared ? v * v : v;
    }
    return sum;
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(8 + this.inChannels * (16 + 4 * this.window));
    out.u32(this.inChannels).u32(this.window);
    for (let c = 0; c < this.inChannels; c++) {
      out.f64(this.counts[c]!).f64(this.direct ? this.directSum(c, this.counts[c]!) : this.sums[c]!);
      out.f32Array(this.ring.subarray(c * this.window, (c + 1) * this.window));
    }
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'moving window state');
    const channels = input.u32();
    const window = input.u32();
    if (channels !== this.inChannels || window !== this.window) {
      throw new SnapshotError(
        `moving window state is for ${channels} channel(s) × window ${window}, stage has ${this.inChannels} × ${this.window}`,
      );
    }
    // Everything is read and checked before the state changes, so a refused snapshot leaves it intact.
    const counts = new Float64Array(channels);
    const sums = new Float64Array(channels);
    const ring = new Float32Array(channels * window);
    for (let c = 0; c < channels; c++) {
      counts[c] = input.f64();
      sums[c] = input.f64();
      input.f32Into(ring.subarray(c * window, (c + 1) * window));
      // Slots and warm-up derive from the count: only whole numbers >= 0 are states a kernel makes.
      if (!isSampleCount(counts[c]!)) throw new SnapshotError('moving window state holds a sample count that is not a whole number >= 0');
    }
    input.expectEnd();
    this.counts.set(counts);
    this.sums.set(sums);
    this.ring.set(ring);
  }
}

function isSampleCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 2 ** 53;
}
