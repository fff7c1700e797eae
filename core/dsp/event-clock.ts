import { ByteReader, ByteWriter } from './bytes.ts';
import { SnapshotError } from '../errors.ts';
import type { BlockTiming } from './timing.ts';

/** Bytes the clock adds after an event stage's own state in a pipeline snapshot. */
export const EVENT_CLOCK_BYTES = 16;

/**
 * Times the events of a pipeline's event stage: each event at its own sample. A sample of the
 * current call lies `(index − first) × 1000 / sampleRate` ms after the call's first input frame
 * (without a rate every sample of a block has the block's time, as readings do: one record, one
 * time). A sample of the call before (a peak is known when the next sample arrives, possibly in the
 * next record, batch or invocation) keeps the time it came with: the clock remembers the index and
 * time of the event stage's last input frame, and the pipeline keeps both in the key's state.
 */
export class EventClock {
  /** Index in the key's stream of the event stage's last input frame (−1 before the first). */
  private lastIndex = -1;
  /** Epoch milliseconds of that frame; NaN when it came without a time. */
  private lastTime = Number.NaN;

  /** The time of the sample at `index`, for a call whose first input frame is `first` with `timing`. */
  time(index: number, first: number, timing: BlockTiming): number | undefined {
    const offset = index - first;
    if (offset < 0 && index === this.lastIndex && !Number.isNaN(this.lastTime)) return this.lastTime;
    return frameTime(timing, offset);
  }

  /** After a call of `frames` input frames starting at `first`: remember its last frame. */
  advance(first: number, frames: number, timing: BlockTiming | undefined): void {
    if (frames === 0) return;
    this.lastIndex = first + frames - 1;
    this.lastTime = (timing === undefined ? undefined : frameTime(timing, frames - 1)) ?? Number.NaN;
  }

  snapshot(): Uint8Array {
    return new ByteWriter(EVENT_CLOCK_BYTES).f64(this.lastIndex).f64(this.lastTime).finish();
  }

  /** Validates all of `state` before changing anything. */
  restore(state: Uint8Array, stage: string): void {
    const input = new ByteReader(state, `${stage} event clock`);
    const index = input.f64();
    const time = input.f64();
    input.expectEnd();
    if (!(Number.isInteger(index) && index >= -1 && index < 2 ** 53)) {
      throw new SnapshotError(`${stage} event clock holds an index that is not a whole number >= -1`, { stage });
    }
    if (!Number.isNaN(time) && !Number.isFinite(time)) throw new SnapshotError(`${stage} event clock holds an infinite time`, { stage });
    this.lastIndex = index;
    this.lastTime = time;
  }
}

/** Epoch milliseconds of the frame `offset` frames after the block's first (its own time without a rate). */
function frameTime(timing: BlockTiming, offset: number): number | undefined {
  const { timestamp, sampleRate } = timing;
  if (timestamp === undefined) return undefined;
  return sampleRate === undefined ? timestamp : timestamp + (offset * 1000) / sampleRate;
}
