import { StatelessKernel } from '../families/elementwise/elementwise.kernel.ts';

/** y = f32(x · x): the product of two float32 values is exact in float64, rounded once (layers/dsp/src/stages/square.c). */
export class SquareKernel extends StatelessKernel {
  constructor(inChannels: number) {
    super('square', inChannels);
  }

  process(input: Float32Array, output: Float32Array): number {
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      output[i] = x * x;
    }
    return input.length / this.inChannels;
  }
}
