import { SnapshotError } from '../../../errors.ts';
import type { StageKernel } from '../kernel.ts';

/**
 * y[n][r] = Σ_c M[r][c]·x[n][c] in float64, added from column 0 up starting from the first product,
 * rounded once to float32 (layers/dsp/src/stages/mix.c, whose SIMD lanes are output channels, each
 * adding in this order). No state.
 */
export class MixKernel implements StageKernel {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Row-major: m[r * inChannels + c]. */
  private readonly m: Float64Array;
  /** One frame's inputs, read before any output is written: `output` may be `input`. */
  private readonly frame: Float64Array;

  constructor(matrix: readonly (readonly number[])[]) {
    this.outChannels = matrix.length;
    this.inChannels = matrix[0]!.length;
    this.m = Float64Array.from(matrix.flat());
    this.frame = new Float64Array(this.inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const C = this.inChannels;
    const R = this.outChannels;
    const m = this.m;
    const x = this.frame;
    const frames = input.length / C;
    for (let f = 0, i = 0, o = 0; f < frames; f++, i += C, o += R) {
      for (let c = 0; c < C; c++) x[c] = input[i + c]!;
      for (let r = 0, row = 0; r < R; r++, row += C) {
        let acc = m[row]! * x[0]!;
        for (let c = 1; c < C; c++) acc += m[row + c]! * x[c]!;
        output[o + r] = acc;
      }
    }
    return frames;
  }

  snapshot(): Uint8Array {
    return new Uint8Array(0);
  }

  restore(state: Uint8Array): void {
    if (state.length !== 0) throw new SnapshotError(`mix has no state, got ${state.length} bytes`);
  }
}
