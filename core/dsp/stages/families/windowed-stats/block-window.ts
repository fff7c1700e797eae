import { ByteReader, ByteWriter } from '../../../bytes.ts';
import { SnapshotError } from '../../../../errors.ts';
import type { StageKernel } from '../../kernel.ts';

/**
 * What the windowed statistics share: a window of the last `window` samples per channel, warming
 * up over the samples seen so far, computed by cutting the stream into blocks of `window` samples
 * at absolute sample numbers k·window (van Herk / Gil–Werman). The window ending at block position
 * p is the previous block's positions p+1 … window−1 plus the current block's 0 … p, so each output
 * combines two partial results: a prefix of the current block (kept as the block fills) and a
 * suffix of the previous block (computed for every position, backwards, when that block
 * completed). Nothing is ever subtracted from a running value, so nothing drifts, nothing needs a
 * resync, and a sample that has left the window leaves no trace. The prefix and the suffixes are
 * functions of the ring (the last `window` samples: the current block's positions so far and the
 * previous block's positions after them), so the state is the ring and the count, and restore
 * recomputes the rest with the same operations, bit for bit.
 *
 * State: u32 channels · u32 window · f64 count (frames seen) · f32 ring of window × channels,
 * frame-major: the sample of frame n of channel c at (n mod window) · channels + c.
 */
export abstract class BlockWindowKernel implements StageKernel {
  readonly outChannels: number;
  protected count = 0;
  protected readonly ring: Float32Array;

  constructor(
    readonly inChannels: number,
    protected readonly window: number,
    /** The stage name, for SnapshotError messages. */
    private readonly name: string,
  ) {
    this.outChannels = inChannels;
    this.ring = new Float32Array(window * inChannels);
  }

  maxOutputFrames(inFrames: number): number {
    return inFrames;
  }

  process(input: Float32Array, output: Float32Array): number {
    const frames = input.length / this.inChannels;
    for (let c = 0; c < this.inChannels; c++) this.run(input, output, c);
    this.count += frames;
    return frames;
  }

  /** Channel c of the interleaved input, from sample number `this.count` on. */
  protected abstract run(input: Float32Array, output: Float32Array, c: number): void;

  /** The prefix of the current block and (once a block has completed) the previous block's suffixes, from the ring. */
  protected abstract rebuild(): void;

  snapshot(): Uint8Array {
    return new ByteWriter(16 + 4 * this.ring.length).u32(this.inChannels).u32(this.window).f64(this.count).f32Array(this.ring).finish();
  }

  restore(state: Uint8Array): void {
    const input = new ByteReader(state, `${this.name} state`);
    const channels = input.u32();
    const window = input.u32();
    if (channels !== this.inChannels || window !== this.window) {
      throw new SnapshotError(`${this.name} state is for ${channels} channel(s) × window ${window}, stage has ${this.inChannels} × ${this.window}`);
    }
    // Everything is read and checked before the state changes, so a refused snapshot leaves it intact.
    const count = input.f64();
    const ring = new Float32Array(this.ring.length);
    input.f32Into(ring);
    input.expectEnd();
    if (!isSampleCount(count)) throw new SnapshotError(`${this.name} state holds a sample count that is not a whole number >= 0`);
    this.count = count;
    this.ring.set(ring);
    this.rebuild();
  }
}

export function isSampleCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 2 ** 53;
}
