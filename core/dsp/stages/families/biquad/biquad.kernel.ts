import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';
import type { Section } from './biquad.options.ts';

/**
 * A cascade of second-order sections per channel in float64, each in direct form I:
 *   y = (((b0·x + b1·x1) + b2·x2) − a2·y2) − a1·y1
 * in exactly this order (layers/dsp/src/families/biquad performs the same operations, so every
 * native path gives these bits). Direct form I keeps the loop-carried dependency to one multiply
 * and one subtract per sample (y1 enters last), which is what makes one channel fast natively.
 * A section's output history is the next section's input history, so the state per channel is
 * 2·(sections + 1) values: x1, x2 of the input, then y1, y2 of each section. Zero before a key's
 * first sample (scipy.signal.sosfilt's default).
 *
 * State: u32 channels · u32 sections · f64 history, slot-major: slot k of channel c at k·channels + c
 * (slots: x1, x2, then y1, y2 of section 0, 1, …).
 */
export class BiquadKernel implements StageKernel {
  readonly outChannels: number;
  private readonly coefficients: Float64Array;
  private readonly history: Float64Array;
  private readonly slots: number;
  /** One channel's history while it runs (no allocation per call). */
  private readonly h: Float64Array;

  constructor(
    readonly inChannels: number,
    sections: readonly Section[],
  ) {
    this.outChannels = inChannels;
    this.coefficients = Float64Array.from(sections.flatMap((s) => [s.b0, s.b1, s.b2, s.a1, s.a2]));
    this.slots = 2 * (sections.length + 1);
    this.history = new Float64Array(this.slots * inChannels);
    this.h = new Float64Array(this.slots);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    const k = this.coefficients;
    const count = k.length / 5;
    const slots = this.slots;
    const h = this.h;
    for (let c = 0; c < channels; c++) {
      for (let j = 0; j < slots; j++) h[j] = this.history[j * channels + c]!;
      for (let i = c; i < input.length; i += channels) {
        let x = input[i]!;
        for (let s = 0, at = 0; s < count; s++, at += 5) {
          const j = 2 * s;
          const y = ((k[at]! * x + k[at + 1]! * h[j]!) + k[at + 2]! * h[j + 1]! - k[at + 4]! * h[j + 3]!) - k[at + 3]! * h[j + 2]!;
          h[j + 1] = h[j]!;
          h[j] = x;
          x = y;
        }
        h[slots - 1] = h[slots - 2]!;
        h[slots - 2] = x;
        output[i] = x;
      }
      for (let j = 0; j < slots; j++) this.history[j * channels + c] = h[j]!;
    }
    return input.length / channels;
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(8 + 8 * this.history.length).u32(this.inChannels).u32(this.slots / 2 - 1);
    for (const v of this.history) out.f64(v);
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'biquad cascade state');
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`biquad cascade state is for ${channels} channel(s), stage has ${this.inChannels}`);
    const sections = input.u32();
    if (sections !== this.slots / 2 - 1) throw new SnapshotError(`biquad cascade state is for ${sections} section(s), stage has ${this.slots / 2 - 1}`);
    const history = new Float64Array(this.history.length);
    for (let i = 0; i < history.length; i++) history[i] = input.f64();
    input.expectEnd();
    this.history.set(history);
  }
}
