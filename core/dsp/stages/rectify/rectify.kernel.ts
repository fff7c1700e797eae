import { StatelessKernel } from '../families/elementwise/elementwise.kernel.ts';

/**
 * full: y = |x|; half: y = x < 0 ? 0 : x (NaN stays NaN). Exact: the output is an input value or 0
 * (layers/dsp/src/stages/rectify.c).
 */
export class RectifyKernel extends StatelessKernel {
  constructor(
    inChannels: number,
    private readonly half: boolean,
  ) {
    super('rectify', inChannels);
  }

  process(input: Float32Array, output: Float32Array): number {
    if (this.half) {
      for (let i = 0; i < input.length; i++) {
        const x = input[i]!;
        output[i] = x < 0 ? 0 : x;
      }
    } else {
      for (let i = 0; i < input.length; i++) output[i] = Math.abs(input[i]!);
    }
    return input.length / this.inChannels;
  }
}
