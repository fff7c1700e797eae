import { ChannelStateKernel } from '../families/elementwise/elementwise.kernel.ts';

/**
 * y[n] = alpha·y[n−1] + x[n] per channel in float64, y[−1] = 0; output f32(y). State: y per
 * channel (layers/dsp/src/stages/integrate.c).
 */
export class IntegrateKernel extends ChannelStateKernel {
  constructor(
    inChannels: number,
    private readonly alpha: number,
  ) {
    super('integrate', inChannels);
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    const alpha = this.alpha;
    for (let c = 0; c < channels; c++) {
      let y = this.value[c]!;
      for (let i = c; i < input.length; i += channels) {
        y = alpha * y + input[i]!;
        output[i] = y;
      }
      this.value[c] = y;
    }
    return input.length / channels;
  }
}
