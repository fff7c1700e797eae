import { ChannelStateKernel } from '../families/elementwise/elementwise.kernel.ts';

/**
 * y[n] = f32(x[n] − x[n−1]) per channel, x[−1] = 0 (the difference of two float32 values in
 * float64, rounded once). State: the previous sample per channel (layers/dsp/src/stages/diff.c).
 */
export class DiffKernel extends ChannelStateKernel {
  constructor(inChannels: number) {
    super('diff', inChannels);
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    for (let c = 0; c < channels; c++) {
      let previous = this.value[c]!;
      for (let i = c; i < input.length; i += channels) {
        const x = input[i]!;
        output[i] = x - previous;
        previous = x;
      }
      this.value[c] = previous;
    }
    return input.length / channels;
  }
}
