import { EventKernel } from '../families/events/event-kernel.ts';

/**
 * Per channel, a run is consecutive samples with |x| ≥ threshold; its event comes at the run's
 * first sample (index, value), so a signal stuck at its rails is reported at once, not when it
 * recovers. The run ends at a sample with |x| < threshold (or NaN); the next sample at or over the
 * threshold starts a new run. |x| and the comparison in float64 (exact for float32 samples);
 * layers/dsp/src/stages/clipDetect.c takes the same decisions.
 *
 * Slot per channel: f64 in a run (0 or 1).
 */
export class ClipDetectKernel extends EventKernel {
  constructor(
    inChannels: number,
    private readonly threshold: number,
  ) {
    super('clipDetect', inChannels, [0]);
  }

  protected scan(input: Float32Array, frames: number, output: Float32Array, indices: Float64Array): number {
    const channels = this.inChannels;
    const { threshold, state } = this;
    let written = 0;
    for (let k = 0; k < frames; k++) {
      for (let c = 0; c < channels; c++) {
        const x = input[k * channels + c]!;
        const clipped = (x < 0 ? -x : x) >= threshold;
        if (clipped && state[c] === 0) {
          output[written * 3] = c;
          output[written * 3 + 1] = 0;
          output[written * 3 + 2] = x;
          indices[written++] = this.count + k;
        }
        state[c] = clipped ? 1 : 0;
      }
    }
    return written;
  }

  protected invalidChannel([inRun]: Float64Array, count: number): string | undefined {
    if (inRun !== 0 && inRun !== 1) return 'holds a run flag that is not 0 or 1';
    if (inRun === 1 && count === 0) return 'is in a run before any sample';
    return undefined;
  }
}
