import { EventKernel, isFloat32 } from '../families/events/event-kernel.ts';

/**
 * Per channel: x[n−1] is a peak when it is > threshold and > x[n−2], n−1 ≥ 1, x[n−1] ≥ x[n], and it
 * lies at least minDistance after the channel's previous peak — decided when x[n] arrives, so a
 * peak's event may come in the call after its sample. Comparisons in float64 on float32 samples
 * (exact); layers/dsp/src/stages/peaks.c takes the same decisions.
 *
 * Slots per channel: f64 previous sample (a float32 value), f64 pending (1: the previous sample
 * passes every test but the next sample's and the distance), f64 index of the last peak (−1: none).
 */
export class PeaksKernel extends EventKernel {
  constructor(
    inChannels: number,
    private readonly threshold: number,
    private readonly minDistance: number,
  ) {
    super('peaks', inChannels, [0, 0, -1]);
  }

  protected scan(input: Float32Array, frames: number, output: Float32Array, indices: Float64Array): number {
    const channels = this.inChannels;
    const { threshold, minDistance, state } = this;
    let written = 0;
    for (let k = 0; k < frames; k++) {
      const n = this.count + k;
      for (let c = 0; c < channels; c++) {
        const x = input[k * channels + c]!;
        const s = c * 3;
        const previous = state[s]!;
        if (state[s + 1] === 1 && previous >= x) {
          const last = state[s + 2]!;
          if (last < 0 || n - 1 - last >= minDistance) {
            output[written * 3] = c;
            output[written * 3 + 1] = 0;
            output[written * 3 + 2] = previous;
            indices[written++] = n - 1;
            state[s + 2] = n - 1;
          }
        }
        state[s + 1] = n >= 1 && x > threshold && x > previous ? 1 : 0;
        state[s] = x;
      }
    }
    return written;
  }

  protected invalidChannel([previous, pending, last]: Float64Array, count: number): string | undefined {
    if (!isFloat32(previous!)) return 'holds a previous sample that is not a float32 value';
    if (pending !== 0 && pending !== 1) return 'holds a pending flag that is not 0 or 1';
    if (pending === 1 && !(count >= 2 && previous! > this.threshold)) return 'holds a pending peak that cannot be one';
    if (!(last === -1 || (Number.isInteger(last) && last! >= 1 && last! <= count - 2))) return 'holds a last peak index outside the samples seen';
    return undefined;
  }
}
