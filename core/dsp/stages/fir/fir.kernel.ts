import { ByteReader, ByteWriter } from '../../bytes.ts';
import { SnapshotError } from '../../../errors.ts';
import { firDot, reversedCoefficients } from '../families/fir/fir-dot.ts';
import type { StageKernel } from '../kernel.ts';

/** Frames per pass over a channel: the window buffer holds the history and this many new samples. */
const BLOCK = 1024;

/**
 * y[n] = Σ h[k]·x[n−k] per channel, zeros before the key's first sample, summed in the canonical
 * order (families/fir/fir-dot.ts) that every native path follows (layers/dsp/src/stages/fir.c).
 * Each channel runs over one contiguous float64 buffer: its last T−1 samples, then the new ones.
 *
 * State: u32 channels · u32 taps · per channel the last taps−1 input samples as f32, oldest first
 * (exact: they are float32 inputs).
 */
export class FirKernel implements StageKernel {
  readonly outChannels: number;
  private readonly taps: number;
  private readonly g: Float64Array;
  /** Per channel, the last taps−1 samples, oldest first: channel c at c·(taps−1). */
  private readonly history: Float64Array;
  private readonly window: Float64Array;

  constructor(
    readonly inChannels: number,
    coefficients: readonly number[],
  ) {
    this.outChannels = inChannels;
    this.taps = coefficients.length;
    this.g = reversedCoefficients(coefficients);
    this.history = new Float64Array(inChannels * (this.taps - 1));
    this.window = new Float64Array(this.taps - 1 + BLOCK);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const channels = this.inChannels;
    const taps = this.taps;
    const held = taps - 1;
    const frames = input.length / channels;
    const { g, window, history } = this;
    for (let c = 0; c < channels; c++) {
      window.set(history.subarray(c * held, (c + 1) * held));
      for (let from = 0; from < frames; from += BLOCK) {
        const n = Math.min(BLOCK, frames - from);
        for (let i = 0; i < n; i++) window[held + i] = input[(from + i) * channels + c]!;
        for (let i = 0; i < n; i++) output[(from + i) * channels + c] = firDot(g, window, i, taps);
        window.copyWithin(0, n, n + held);
      }
      history.set(window.subarray(0, held), c * held);
    }
    return frames;
  }

  snapshot(): Uint8Array {
    const held = this.taps - 1;
    const out = new ByteWriter(8 + 4 * this.history.length).u32(this.inChannels).u32(this.taps);
    return out.f32Array(Float32Array.from(this.history.subarray(0, this.inChannels * held))).finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, 'fir state');
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`fir state is for ${channels} channel(s), stage has ${this.inChannels}`);
    const taps = input.u32();
    if (taps !== this.taps) throw new SnapshotError(`fir state is for ${taps} taps, stage has ${this.taps}`);
    const samples = new Float32Array(this.history.length);
    input.f32Into(samples);
    input.expectEnd();
    this.history.set(samples);
  }
}
