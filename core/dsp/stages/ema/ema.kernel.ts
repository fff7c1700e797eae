import { ByteReader, ByteWriter } from '../../bytes.ts';
import { SnapshotError } from '../../../errors.ts';
import type { StageKernel } from '../kernel.ts';

/**
 * y[n] = y[n−1] + alpha·(x[n] − y[n−1]) per channel in float64, y[0] = x[0]; output f32(y).
 * layers/dsp/src/stages/ema.c performs the same operations in the same order.
 *
 * State: u32 channels · u32 0 · f64 count (frames seen) · f64 y per channel.
 */
export class EmaKernel implements StageKernel {
  readonly outChannels: number;
  private count = 0;
  private readonly y: Float64Array;

  constructor(
    readonly inChannels: number,
    private readonly alpha: number,
  ) {
    this.outChannels = inChannels;
    this.y = new Float64Array(inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    const frames = input.length / channels;
    const alpha = this.alpha;
    let from = 0;
    if (this.count === 0 && frames > 0) {
      // The key's first sample starts y.
      for (let c = 0; c < channels; c++) {
        this.y[c] = input[c]!;
        output[c] = input[c]!;
      }
      from = channels;
    }
    for (let c = 0; c < channels; c++) {
      let y = this.y[c]!;
      for (let i = from + c; i < input.length; i += channels) {
        y = y + alpha * (input[i]! - y);
        output[i] = y;
      }
      this.y[c] = y;
    }
    this.count += frames;
    return frames;
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(16 + 8 * this.inChannels).u32(this.inChannels).u32(0).f64(this.count);
    for (let c = 0; c < this.inChannels; c++) out.f64(this.y[c]!);
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'ema state');
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`ema state is for ${channels} channel(s), stage has ${this.inChannels}`);
    input.u32();
    const count = input.f64();
    const y = new Float64Array(channels);
    for (let c = 0; c < channels; c++) y[c] = input.f64();
    input.expectEnd();
    if (!(Number.isInteger(count) && count >= 0 && count <= 2 ** 53)) {
      throw new SnapshotError('ema state holds a sample count that is not a whole number >= 0');
    }
    this.count = count;
    this.y.set(y);
  }
}
