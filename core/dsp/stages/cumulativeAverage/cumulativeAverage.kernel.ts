import { ByteReader, ByteWriter } from '../../bytes.ts';
import { SnapshotError } from '../../../errors.ts';
import type { StageKernel } from '../kernel.ts';
import { isSampleCount } from '../families/windowed-stats/block-window.ts';

/**
 * y[n] = (x[0] + … + x[n]) / (n + 1) per channel. The sum is compensated (TwoSum: `hi` the float64
 * running sum, `lo` the sum of the rounding errors of its additions), so it stays exact to about
 * 2⁻¹⁰⁶ relative however long a key runs; y = f32((hi + lo) / n). layers/dsp/src/stages/
 * cumulativeAverage.c performs the same operations (the lane driver: channels in float64 lanes).
 *
 * State: u32 channels · u32 0 · f64 count (frames seen) · f64 hi of every channel · f64 lo of every channel.
 */
export class CumulativeAverageKernel implements StageKernel {
  readonly outChannels: number;
  private count = 0;
  /** hi of every channel, then lo of every channel. */
  private readonly sums: Float64Array;

  constructor(readonly inChannels: number) {
    this.outChannels = inChannels;
    this.sums = new Float64Array(2 * inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const C = this.inChannels;
    const sums = this.sums;
    for (let c = 0; c < C; c++) {
      let hi = sums[c]!;
      let lo = sums[C + c]!;
      let n = this.count;
      for (let i = c; i < input.length; i += C) {
        const x = input[i]!;
        const s = hi + x;
        const t = s - hi;
        lo = lo + ((hi - (s - t)) + (x - t));
        hi = s;
        n = n + 1;
        output[i] = (hi + lo) / n;
      }
      sums[c] = hi;
      sums[C + c] = lo;
    }
    const frames = input.length / C;
    this.count += frames;
    return frames;
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(16 + 8 * this.sums.length).u32(this.inChannels).u32(0).f64(this.count);
    for (const v of this.sums) out.f64(v);
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'cumulativeAverage state');
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`cumulativeAverage state is for ${channels} channel(s), stage has ${this.inChannels}`);
    input.u32();
    const count = input.f64();
    const sums = new Float64Array(this.sums.length);
    for (let i = 0; i < sums.length; i++) sums[i] = input.f64();
    input.expectEnd();
    if (!isSampleCount(count)) throw new SnapshotError('cumulativeAverage state holds a sample count that is not a whole number >= 0');
    this.count = count;
    this.sums.set(sums);
  }
}
