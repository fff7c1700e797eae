import type { BlockTiming } from './timing.ts';

/** One event of an event stage (peaks, crossings, clipDetect): a sample the stage reports. */
export interface PipelineEvent {
  /** The input channel of the sample (from 0). */
  readonly channel: number;
  /** The sample's index in the key's stream at the event stage's input (from 0, across records, batches and invocations). */
  readonly index: number;
  /** Epoch milliseconds of the sample (float64); undefined when its block had no time. */
  readonly timestamp: number | undefined;
  /** The sample's value. */
  readonly value: number;
  /** What happened, from the stage's kinds: `peak`, `rising` / `falling`, `clip`. */
  readonly kind: string;
}

/** The events of a block without any (shared: frozen). */
export const NO_EVENTS: readonly PipelineEvent[] = Object.freeze([]);

/** What a pipeline made of one block of input. */
export interface PipelineOutput extends BlockTiming {
  /** Interleaved frames of `channels` (for an event pipeline, the event frames `[channel, kind code, value]`). */
  readonly samples: Float32Array;
  readonly channels: number;
  /** Output frames: for an event pipeline, events. */
  readonly frames: number;
  /**
   * An event pipeline's events of this block, in the order the stage found them (by index, then
   * channel), each timed at its own sample; `timestamp` is the first one's. Empty otherwise.
   */
  readonly events: readonly PipelineEvent[];
}
