import { SnapshotError } from '../../../errors.ts';
import type { StageKernel } from '../kernel.ts';

/** y[n][j] = x[n][channels[j]] (layers/dsp/src/stages/select.c). No state. */
export class SelectKernel implements StageKernel {
  readonly outChannels: number;
  private readonly index: readonly number[];
  /** One frame's outputs, read before any is written: `output` may be `input`. */
  private readonly frame: Float32Array;

  constructor(
    readonly inChannels: number,
    channels: readonly number[],
  ) {
    this.outChannels = channels.length;
    this.index = [...channels];
    this.frame = new Float32Array(channels.length);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const C = this.inChannels;
    const R = this.outChannels;
    const index = this.index;
    const frames = input.length / C;
    if (output.buffer === input.buffer) {
      // In place: a frame's outputs may cover its own inputs, never a later frame's (R ≤ C).
      const frame = this.frame;
      for (let f = 0, i = 0, o = 0; f < frames; f++, i += C, o += R) {
        for (let j = 0; j < R; j++) frame[j] = input[i + index[j]!]!;
        for (let j = 0; j < R; j++) output[o + j] = frame[j]!;
      }
    } else if (R === 1) {
      const k = index[0]!;
      for (let f = 0, i = k; f < frames; f++, i += C) output[f] = input[i]!;
    } else {
      for (let f = 0, i = 0, o = 0; f < frames; f++, i += C, o += R) {
        for (let j = 0; j < R; j++) output[o + j] = input[i + index[j]!]!;
      }
    }
    return frames;
  }

  snapshot(): Uint8Array {
    return new Uint8Array(0);
  }

  restore(state: Uint8Array): void {
    if (state.length !== 0) throw new SnapshotError(`select has no state, got ${state.length} bytes`);
  }
}
