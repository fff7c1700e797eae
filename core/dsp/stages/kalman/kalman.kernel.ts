import { ByteReader, ByteWriter } from '../../bytes.ts';
import { SnapshotError } from '../../../errors.ts';
import type { StageKernel } from '../kernel.ts';

export interface KalmanParams {
  readonly processNoise: number;
  readonly measurementNoise: number;
  readonly initialError: number;
}

/**
 * A scalar Kalman filter per channel for a level that drifts as a random walk (process variance q)
 * and is measured with noise (variance r), in float64:
 *   P = P + q;  K = P / (P + r);  x = x + K·(z − x);  P = P·(1 − K);  output f32(x).
 * The key's first sample starts the filter (x = z, P = initialError) and is output as it is: the
 * recursion runs from the second sample, as ema's does. layers/dsp/src/stages/kalman.c performs the
 * same operations in the same order.
 *
 * State: u32 channels · u32 0 · f64 count (frames seen) · f64 x per channel · f64 P per channel.
 */
export class KalmanKernel implements StageKernel {
  readonly outChannels: number;
  private count = 0;
  private readonly x: Float64Array;
  private readonly p: Float64Array;

  constructor(
    readonly inChannels: number,
    private readonly params: KalmanParams,
  ) {
    this.outChannels = inChannels;
    this.x = new Float64Array(inChannels);
    this.p = new Float64Array(inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    const frames = input.length / channels;
    const q = this.params.processNoise;
    const r = this.params.measurementNoise;
    let from = 0;
    if (this.count === 0 && frames > 0) {
      for (let c = 0; c < channels; c++) {
        this.x[c] = input[c]!;
        this.p[c] = this.params.initialError;
        output[c] = input[c]!;
      }
      from = channels;
    }
    for (let c = 0; c < channels; c++) {
      let x = this.x[c]!;
      let p = this.p[c]!;
      for (let i = from + c; i < input.length; i += channels) {
        p = p + q;
        const k = p / (p + r);
        x = x + k * (input[i]! - x);
        p = p * (1 - k);
        output[i] = x;
      }
      this.x[c] = x;
      this.p[c] = p;
    }
    this.count += frames;
    return frames;
  }

  snapshot(): Uint8Array {
    const channels = this.inChannels;
    const out = new ByteWriter(16 + 16 * channels).u32(channels).u32(0).f64(this.count);
    for (let c = 0; c < channels; c++) out.f64(this.x[c]!);
    for (let c = 0; c < channels; c++) out.f64(this.p[c]!);
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'kalman state');
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`kalman state is for ${channels} channel(s), stage has ${this.inChannels}`);
    input.u32();
    const count = input.f64();
    const x = new Float64Array(channels);
    const p = new Float64Array(channels);
    for (let c = 0; c < channels; c++) x[c] = input.f64();
    for (let c = 0; c < channels; c++) p[c] = input.f64();
    input.expectEnd();
    if (!(Number.isInteger(count) && count >= 0 && count <= 2 ** 53)) {
      throw new SnapshotError('kalman state holds a sample count that is not a whole number >= 0');
    }
    // P never depends on the data: it is a finite variance >= 0 whatever the input was.
    for (let c = 0; c < channels; c++) {
      if (!(p[c]! >= 0 && p[c]! < Infinity)) throw new SnapshotError('kalman state holds an error variance P that is not a finite number >= 0');
    }
    this.count = count;
    this.x.set(x);
    this.p.set(p);
  }
}
