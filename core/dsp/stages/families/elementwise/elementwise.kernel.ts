import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';

/**
 * What the elementwise stages share (rectify, square, clip: no state; diff, integrate: one float64
 * per channel). Each stage's kernel writes only its own `process` loop, as its C file writes only
 * its lane step (layers/dsp/src/families/elementwise/elementwise.h holds the C side of this file).
 */

/** A same-rate stage without state: an empty snapshot. */
export abstract class StatelessKernel implements StageKernel {
  readonly outChannels: number;

  constructor(
    private readonly stage: string,
    readonly inChannels: number,
  ) {
    this.outChannels = inChannels;
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  abstract process(input: Float32Array, output: Float32Array): number;

  snapshot(): Uint8Array {
    return new Uint8Array(0);
  }

  restore(state: Uint8Array): void {
    if (state.length !== 0) throw new SnapshotError(`${this.stage} has no state, got ${state.length} bytes`);
  }
}

/**
 * A same-rate stage whose state is one float64 per channel (`value[c]`: diff's previous sample,
 * integrate's y). State: u32 channels · u32 0 · f64 value per channel. Every float64 is a state
 * some input can produce (NaN and ±Infinity included), so restore checks only the shape.
 */
export abstract class ChannelStateKernel implements StageKernel {
  readonly outChannels: number;
  protected readonly value: Float64Array;

  constructor(
    private readonly stage: string,
    readonly inChannels: number,
  ) {
    this.outChannels = inChannels;
    this.value = new Float64Array(inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  abstract process(input: Float32Array, output: Float32Array): number;

  snapshot(): Uint8Array {
    const out = new ByteWriter(8 + 8 * this.inChannels).u32(this.inChannels).u32(0);
    for (let c = 0; c < this.inChannels; c++) out.f64(this.value[c]!);
    return out.finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, `${this.stage} state`);
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`${this.stage} state is for ${channels} channel(s), stage has ${this.inChannels}`);
    if (input.u32() !== 0) throw new SnapshotError(`${this.stage} state has a non-zero reserved word`);
    const value = new Float64Array(channels);
    for (let c = 0; c < channels; c++) value[c] = input.f64();
    input.expectEnd();
    this.value.set(value);
  }
}
