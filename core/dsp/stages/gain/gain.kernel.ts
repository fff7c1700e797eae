import { SnapshotError } from '../../../errors.ts';
import type { StageKernel } from '../kernel.ts';

/** y = f32(x · factor), the product in float64 (layers/dsp/src/stages/gain.c). No state. */
export class GainKernel implements StageKernel {
  readonly outChannels: number;

  constructor(
    readonly inChannels: number,
    private readonly factor: number,
  ) {
    this.outChannels = inChannels;
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const factor = this.factor;
    for (let i = 0; i < input.length; i++) output[i] = input[i]! * factor;
    return input.length / this.inChannels;
  }

  snapshot(): Uint8Array {
    return new Uint8Array(0);
  }

  restore(state: Uint8Array): void {
    if (state.length !== 0) throw new SnapshotError(`gain has no state, got ${state.length} bytes`);
  }
}
