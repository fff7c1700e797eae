import { EventKernel } from '../families/events/event-kernel.ts';

/** Kind codes: the order of the descriptor's kinds. */
const RISING = 0;
const FALLING = 1;

/**
 * Hysteresis per channel: below, x ≥ high is a `rising` event and the channel is above; above,
 * x ≤ low is a `falling` event and the channel is below. A key's channels start below, so events
 * alternate rising, falling, … and the first is `rising` (at the first sample if it is already at
 * or above high). Comparisons in float64 on float32 samples (exact); NaN changes nothing.
 * layers/dsp/src/stages/crossings.c takes the same decisions.
 *
 * Slot per channel: f64 above (0 below, 1 above).
 */
export class CrossingsKernel extends EventKernel {
  constructor(
    inChannels: number,
    private readonly high: number,
    private readonly low: number,
  ) {
    super('crossings', inChannels, [0]);
  }

  protected scan(input: Float32Array, frames: number, output: Float32Array, indices: Float64Array): number {
    const channels = this.inChannels;
    const { high, low, state } = this;
    let written = 0;
    for (let k = 0; k < frames; k++) {
      for (let c = 0; c < channels; c++) {
        const x = input[k * channels + c]!;
        const above = state[c] === 1;
        if (above ? x <= low : x >= high) {
          output[written * 3] = c;
          output[written * 3 + 1] = above ? FALLING : RISING;
          output[written * 3 + 2] = x;
          indices[written++] = this.count + k;
          state[c] = above ? 0 : 1;
        }
      }
    }
    return written;
  }

  protected invalidChannel([above]: Float64Array, count: number): string | undefined {
    if (above !== 0 && above !== 1) return 'holds a side that is not 0 (below) or 1 (above)';
    if (above === 1 && count === 0) return 'is above before any sample';
    return undefined;
  }
}
