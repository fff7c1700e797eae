import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';
import type { Section } from './biquad.options.ts';
import { lookAhead, LOOK_AHEAD_TERMS } from './look-ahead.ts';

/**
 * A cascade of second-order sections per channel in float64, zero before a key's first sample
 * (scipy.signal.sosfilt's default). Two exact float64 evaluations of the same sections, chosen by
 * what lets the native paths run in SIMD lanes (layers/dsp/src/families/biquad performs the same
 * operations in the same order, so every native path gives these bits):
 *
 * - two or more channels: direct form I, channels side by side in the lanes:
 *     y = (((b0·x + b1·x1) + b2·x2) − a2·y2) − a1·y1
 * - one channel: the two-step look-ahead form (look-ahead.ts), where y[n] reads y[n−2] and y[n−4]
 *   but not y[n−1], so consecutive samples of the channel sit side by side instead:
 *     y[n] = (((((g0·x[n] + g1·x[n−1]) + g2·x[n−2]) + g3·x[n−3]) + g4·x[n−4]) − c4·y[n−4]) − c2·y[n−2]
 *
 * Both agree with scipy.signal.sosfilt to float64 rounding (the forms differ only there, so a mono
 * and a multichannel pipeline can differ in the last bit of a float32 output now and then).
 * A section's output history is the next section's input history, so the state per channel is
 * `depth`·(sections + 1) values, depth 2 (x[n−1], x[n−2]) or 4 (x[n−1] … x[n−4]): the input's,
 * then each section's output's.
 *
 * State: u32 channels · u32 sections · f64 history, slot-major: slot k of channel c at k·channels + c.
 */
export class BiquadKernel implements StageKernel {
  readonly outChannels: number;
  /** Direct form I: b0, b1, b2, a1, a2 per section; look-ahead: g0 … g4, c2, c4. */
  private readonly terms: Float64Array;
  private readonly sections: number;
  private readonly depth: number;
  private readonly history: Float64Array;
  /** One channel's history while it runs (no allocation per call). */
  private readonly h: Float64Array;

  constructor(
    readonly inChannels: number,
    sections: readonly Section[],
  ) {
    this.outChannels = inChannels;
    this.sections = sections.length;
    this.depth = inChannels === 1 ? 4 : 2;
    this.terms = Float64Array.from(sections.flatMap((s) => (inChannels === 1 ? lookAhead(s) : [s.b0, s.b1, s.b2, s.a1, s.a2])));
    this.h = new Float64Array(this.depth * (this.sections + 1));
    this.history = new Float64Array(this.h.length * inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    if (this.inChannels === 1) this.lookAheadCascade(input, output);
    else this.directFormI(input, output);
    return input.length / this.inChannels;
  }

  private directFormI(input: Float32Array, output: Float32Array): void {
    const channels = this.inChannels;
    const k = this.terms;
    const count = this.sections;
    const h = this.h;
    const slots = h.length;
    for (let c = 0; c < channels; c++) {
      for (let j = 0; j < slots; j++) h[j] = this.history[j * channels + c]!;
      for (let i = c; i < input.length; i += channels) {
        let x = input[i]!;
        for (let s = 0, at = 0, j = 0; s < count; s++, at += 5, j += 2) {
          // h[j], h[j+1]: this section's x1, x2; h[j+2], h[j+3]: its y1, y2.
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
  }

  private lookAheadCascade(input: Float32Array, output: Float32Array): void {
    const t = this.terms;
    const count = this.sections;
    const h = this.history;
    const slots = h.length;
    for (let i = 0; i < input.length; i++) {
      let x = input[i]!;
      for (let s = 0, at = 0, j = 0; s < count; s++, at += LOOK_AHEAD_TERMS, j += 4) {
        // h[j … j+3]: this section's x[n−1] … x[n−4]; h[j+4 … j+7]: its y[n−1] … y[n−4].
        const g = t[at]! * x + t[at + 1]! * h[j]! + t[at + 2]! * h[j + 1]! + t[at + 3]! * h[j + 2]! + t[at + 4]! * h[j + 3]!;
        const y = g - t[at + 6]! * h[j + 7]! - t[at + 5]! * h[j + 5]!;
        h[j + 3] = h[j + 2]!;
        h[j + 2] = h[j + 1]!;
        h[j + 1] = h[j]!;
        h[j] = x;
        x = y;
      }
      h[slots - 1] = h[slots - 2]!;
      h[slots - 2] = h[slots - 3]!;
      h[slots - 3] = h[slots - 4]!;
      h[slots - 4] = x;
      output[i] = x;
    }
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(8 + 8 * this.history.length).u32(this.inChannels).u32(this.sections);
    for (const v of this.history) out.f64(v);
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'biquad cascade state');
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`biquad cascade state is for ${channels} channel(s), stage has ${this.inChannels}`);
    const sections = input.u32();
    if (sections !== this.sections) throw new SnapshotError(`biquad cascade state is for ${sections} section(s), stage has ${this.sections}`);
    const history = new Float64Array(this.history.length);
    for (let i = 0; i < history.length; i++) history[i] = input.f64();
    input.expectEnd();
    this.history.set(history);
  }
}
