import { StatelessKernel } from '../families/elementwise/elementwise.kernel.ts';

/**
 * y = min(max(x, lo), hi) written as C compares (layers/dsp/src/stages/clip.c, lane_max/lane_min):
 * v = lo > x ? lo : x; y = hi < v ? hi : v — so NaN stays NaN. Bounds are float64, the output f32.
 */
export class ClipKernel extends StatelessKernel {
  constructor(
    inChannels: number,
    private readonly lo: number,
    private readonly hi: number,
  ) {
    super('clip', inChannels);
  }

  process(input: Float32Array, output: Float32Array): number {
    const lo = this.lo;
    const hi = this.hi;
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      const v = lo > x ? lo : x;
      output[i] = hi < v ? hi : v;
    }
    return input.length / this.inChannels;
  }
}
