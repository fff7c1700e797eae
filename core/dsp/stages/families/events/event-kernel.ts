import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import { EVENT_FRAME } from '../../descriptor.ts';
import type { StageKernel } from '../../kernel.ts';

/**
 * What the event stages share (peaks, crossings, clipDetect): the key's sample count, the event
 * frames `[channel, kind code, value]` with each event's index beside them, and a state of a few
 * float64 slots per channel. Each stage writes only its `scan` loop, as its C file writes only its
 * per-sample step (layers/dsp/src/families/events/events.h is the C side of this file).
 *
 * State: u32 channels · u32 0 · f64 count (frames seen) · per channel its `slots` f64 values.
 * Events come in the order of their samples, then by channel: frame by frame, channel by channel.
 */
export abstract class EventKernel implements StageKernel {
  readonly outChannels = EVENT_FRAME;
  /** Frames of the key's stream seen so far: the index of the next input frame. */
  protected count = 0;
  /** Per channel, `slots` values: `state[c·slots + k]`. */
  protected readonly state: Float64Array;
  private indices = new Float64Array(0);
  private written = 0;
  private first = 0;

  private readonly slots: number;

  /** `initial`: a fresh channel's slots (the stage's per-channel state before its first sample). */
  constructor(
    protected readonly stage: string,
    readonly inChannels: number,
    initial: readonly number[],
  ) {
    this.slots = initial.length;
    this.state = new Float64Array(inChannels * this.slots);
    for (let c = 0; c < inChannels; c++) this.state.set(initial, c * this.slots);
  }

  /** At most one event per channel per input frame. */
  maxOutputFrames(inFrames: number): number {
    return inFrames * this.inChannels;
  }

  process(input: Float32Array, output: Float32Array): number {
    const frames = input.length / this.inChannels;
    const most = frames * this.inChannels;
    if (this.indices.length < most) this.indices = new Float64Array(most);
    this.first = this.count;
    this.written = this.scan(input, frames, output, this.indices);
    this.count += frames;
    return this.written;
  }

  /**
   * Consumes `frames` frames (the first at index `this.count`): writes event j as
   * `output[3j…3j+2] = [channel, code, value]` with `indices[j]` its sample's index, and returns
   * the events written.
   */
  protected abstract scan(input: Float32Array, frames: number, output: Float32Array, indices: Float64Array): number;

  /** Why a channel's restored slots cannot come from this stage at `count`, or undefined when they can. */
  protected abstract invalidChannel(slots: Float64Array, count: number): string | undefined;

  eventIndices(): Float64Array {
    return this.indices.subarray(0, this.written);
  }

  firstInputIndex(): number {
    return this.first;
  }

  snapshot(): Uint8Array {
    const out = new ByteWriter(16 + 8 * this.state.length).u32(this.inChannels).u32(0).f64(this.count);
    for (let i = 0; i < this.state.length; i++) out.f64(this.state[i]!);
    return out.finish();
  }

  restore(bytes: Uint8Array): void {
    const input = new ByteReader(bytes, `${this.stage} state`);
    const channels = input.u32();
    if (channels !== this.inChannels) throw new SnapshotError(`${this.stage} state is for ${channels} channel(s), stage has ${this.inChannels}`);
    if (input.u32() !== 0) throw new SnapshotError(`${this.stage} state has a non-zero reserved word`);
    const count = input.f64();
    const state = new Float64Array(this.state.length);
    for (let i = 0; i < state.length; i++) state[i] = input.f64();
    input.expectEnd();
    if (!(Number.isInteger(count) && count >= 0 && count <= 2 ** 53)) {
      throw new SnapshotError(`${this.stage} state holds a sample count that is not a whole number >= 0`);
    }
    for (let c = 0; c < channels; c++) {
      const why = this.invalidChannel(state.subarray(c * this.slots, (c + 1) * this.slots), count);
      if (why !== undefined) throw new SnapshotError(`${this.stage} state of channel ${c} ${why}`);
    }
    this.count = count;
    this.state.set(state);
  }
}

/** Whether `value` is a float32 value (or NaN): what a slot holding a sample may contain. */
export function isFloat32(value: number): boolean {
  return Number.isNaN(value) || Math.fround(value) === value;
}
