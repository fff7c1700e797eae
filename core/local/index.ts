/**
 * `dspfn/local`: the Lambda Kafka event source emulated on a laptop, as a library — replay a
 * file, consume a topic, record a topic. The `dspfn` CLI is a thin layer over these.
 */
export { replay, formatSummary } from '../cli/replay.ts';
export type { ReplayOptions, ReplaySummary } from '../cli/replay.ts';
export { consume } from '../cli/consume.ts';
export type { ConsumeOptions, ConsumeController, ConsumableFunction } from '../cli/consume.ts';
export { record } from '../cli/record.ts';
export type { RecordOptions, RecordSummary } from '../cli/record.ts';
