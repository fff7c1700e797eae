import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';

export interface AdaptiveFilterParams {
  readonly taps: number;
  readonly mu: number;
  /** Regulariser of the NLMS normalisation; ignored by LMS. */
  readonly eps: number;
}

/**
 * Adaptive noise canceller on 2-channel interleaved input [x0, d0, x1, d1, …]
 * (x: reference noise, d: noisy signal); outputs e[n] = d[n] - w·xv.
 *
 * State: count (f64), weights (f32 × taps), history (f32 × taps, newest first, zeros before the
 * first sample). Weights are kept in float32 so a snapshot holds the exact state.
 */
export class AdaptiveFilterKernel implements StageKernel {
  readonly inChannels = 2;
  readonly outChannels = 1;
  private count = 0;
  private readonly weights: Float32Array;
  private readonly history: Float32Array;

  constructor(
    private readonly params: AdaptiveFilterParams,
    private readonly normalised: boolean,
  ) {
    this.weights = new Float32Array(params.taps);
    this.history = new Float32Array(params.taps);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const taps = this.params.taps;
    const mu = this.params.mu;
    const eps = this.params.eps;
    const w = this.weights;
    const xv = this.history;
    const frames = input.length >> 1;
    for (let n = 0; n < frames; n++) {
      const x = input[2 * n]!;
      const d = input[2 * n + 1]!;
      xv.copyWithin(1, 0, taps - 1);
      xv[0] = x;
      let y = 0;
      let energy = 0;
      for (let i = 0; i < taps; i++) {
        const v = xv[i]!;
        y += w[i]! * v;
        energy += v * v;
      }
      const e = d - y;
      const step = this.normalised ? (mu * e) / (eps + energy) : mu * e;
      for (let i = 0; i < taps; i++) w[i] = w[i]! + step * xv[i]!;
      output[n] = e;
    }
    this.count += frames;
    return frames;
  }

  snapshot(): Uint8Array {
    const taps = this.params.taps;
    return new ByteWriter(16 + 8 * taps)
      .u32(taps)
      .u32(0)
      .f64(this.count)
      .f32Array(this.weights)
      .f32Array(this.history)
      .finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'adaptive filter state');
    const taps = input.u32();
    input.u32();
    if (taps !== this.params.taps) {
      throw new SnapshotError(`adaptive filter state has ${taps} taps, stage has ${this.params.taps}`);
    }
    // Everything is read before the state changes, so a refused snapshot leaves it intact.
    const count = input.f64();
    const weights = new Float32Array(taps);
    const history = new Float32Array(taps);
    input.f32Into(weights);
    input.f32Into(history);
    input.expectEnd();
    this.count = count;
    this.weights.set(weights);
    this.history.set(history);
  }
}
