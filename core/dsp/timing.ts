import type { RateRule } from './stages/descriptor.ts';
import type { StageKernel } from './stages/kernel.ts';

/** When a block of frames starts and how fast its frames come. */
export interface BlockTiming {
  /** Epoch milliseconds of the first frame (float64); undefined when not known. */
  readonly timestamp: number | undefined;
  /** Frames per second; undefined when not known. */
  readonly sampleRate: number | undefined;
}

/**
 * The timing of a stage's output from its input's: same-rate stages keep it; a `ratio` stage scales
 * the rate and moves the first frame by what its kernel reported for the call that made it (which
 * needs the input's rate: without it the output's time is unknown).
 */
export function stageOutputTiming<P>(rate: RateRule<P>, params: P, kernel: StageKernel, input: BlockTiming): BlockTiming {
  // Same-rate stages keep it; an event stage's events are each timed at their own sample (event-clock.ts).
  if (rate.kind !== 'ratio') return input;
  const { up, down } = rate.ratio(params);
  if (input.sampleRate === undefined) return { timestamp: undefined, sampleRate: undefined };
  const offset = kernel.firstOutputOffset?.() ?? 0;
  return {
    timestamp: input.timestamp === undefined ? undefined : input.timestamp + (offset * 1000) / input.sampleRate,
    sampleRate: (input.sampleRate * up) / down,
  };
}
