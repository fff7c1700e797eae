import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import { firDot } from '../fir/fir-dot.ts';
import type { StageKernel } from '../../kernel.ts';

/** Input frames per pass over a channel: the window buffer holds the history and this many new samples. */
const BLOCK = 1024;

/**
 * Zero-stuff by `up`, filter with h (T taps), keep every `down`-th sample — computed polyphase:
 * output m = Σ_k h[k]·u[m·down − k] (u the zero-stuffed input) only touches the taps of phase
 * p = m·down mod up, so it is the dot product of the sub-filter h_p[q] = h[p + q·up]
 * (T_p = ⌈(T − p)/up⌉ taps) with the input samples ending at n = ⌊m·down/up⌋, in the canonical
 * order of families/fir/fir-dot.ts. decimate is up = 1, interpolate down = 1.
 * layers/dsp/src/families/rate/rate.c computes the same dot products (grouped by phase, strided).
 *
 * Timing: output m lies at input frame m·down/up of the key's stream; after N input frames the
 * outputs m < ⌈N·up/down⌉ exist. The state keeps, instead of N, the phase
 * a = m_next·down − N·up ∈ [0, down): the next output lies a/up input frames after the next input
 * frame (a call's firstOutputOffset).
 *
 * State: u32 channels · u32 taps · u32 phase a · per channel the last ⌈T/up⌉ − 1 input samples as
 * f32, oldest first (exact: they are float32 inputs; zeros before the key's first sample).
 */
export class RateKernel implements StageKernel {
  readonly outChannels: number;
  private readonly taps: number;
  /** Per phase p, h_p reversed (the order firDot reads). */
  private readonly phases: Float64Array[];
  /** Samples kept per channel: the longest phase's taps − 1. */
  private readonly held: number;
  private readonly history: Float64Array;
  private readonly window: Float64Array;
  private phase = 0;
  private lastFirst = 0;

  constructor(
    private readonly name: string,
    readonly inChannels: number,
    private readonly up: number,
    private readonly down: number,
    coefficients: readonly number[],
  ) {
    this.outChannels = inChannels;
    const T = coefficients.length;
    this.taps = T;
    this.phases = Array.from({ length: up }, (_, p) => {
      const length = p < T ? Math.floor((T - p + up - 1) / up) : 0;
      return Float64Array.from({ length }, (_, j) => coefficients[p + up * (length - 1 - j)]!);
    });
    this.held = this.phases[0]!.length - 1;
    this.history = new Float64Array(inChannels * this.held);
    this.window = new Float64Array(this.held + BLOCK);
  }

  /** Outputs of the next `inFrames` input frames: a + t·down < inFrames·up. */
  maxOutputFrames(inFrames: number): number {
    const ahead = inFrames * this.up - this.phase;
    if (ahead <= 0) return 0;
    return (ahead - 1 - ((ahead - 1) % this.down)) / this.down + 1;
  }

  firstOutputOffset(): number {
    return this.lastFirst;
  }

  process(input: Float32Array, output: Float32Array): number {
    const { inChannels: C, up, down, held, window, history, phases } = this;
    const frames = input.length / C;
    this.lastFirst = this.phase / up;
    let written = 0;
    let end = this.phase;
    for (let c = 0; c < C; c++) {
      window.set(history.subarray(c * held, (c + 1) * held));
      let a = this.phase;
      let o = 0;
      for (let from = 0; from < frames; from += BLOCK) {
        const n = Math.min(BLOCK, frames - from);
        // The channel's samples of the pass are read before any of its outputs is written (output may be input).
        for (let i = 0; i < n; i++) window[held + i] = input[(from + i) * C + c]!;
        const limit = n * up;
        for (; a < limit; a += down) {
          const i = Math.floor(a / up);
          const g = phases[a - i * up]!;
          output[o * C + c] = firDot(g, window, held + i + 1 - g.length, g.length);
          o++;
        }
        a -= limit;
        window.copyWithin(0, n, n + held);
      }
      history.set(window.subarray(0, held), c * held);
      written = o;
      end = a;
    }
    this.phase = end;
    return written;
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(12 + 4 * this.history.length).u32(this.inChannels).u32(this.taps).u32(this.phase);
    return out.f32Array(Float32Array.from(this.history)).finish();
  }

  restore(state: Uint8Array): void {
    const name = this.name;
    const input = new ByteReader(state, `${name} state`);
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`${name} state is for ${channels} channel(s), stage has ${this.inChannels}`);
    const taps = input.u32();
    if (taps !== this.taps) throw new SnapshotError(`${name} state is for ${taps} taps, stage has ${this.taps}`);
    const phase = input.u32();
    if (phase >= this.down) throw new SnapshotError(`${name} state has phase ${phase}, which must be below ${this.down}`);
    const samples = new Float32Array(this.history.length);
    input.f32Into(samples);
    input.expectEnd();
    this.history.set(samples);
    this.phase = phase;
  }
}
