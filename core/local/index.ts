/**
 * `dspfn/local`: the Lambda Kafka event source emulated on a laptop, as a library — replay a file,
 * consume a topic, record a topic — with the same batching (BatchCutter on record or wall time)
 * and the same answer handling (settleBatch: batchItemFailures, retries, on-failure) everywhere.
 * Nothing here writes to the terminal: progress and stats are callbacks; the `dspfn` CLI renders them.
 */
export { replay } from './replay.ts';
export type { ReplayOptions, ReplayProgress, ReplaySummary } from './replay.ts';
export { consume } from './consume.ts';
export type { ConsumableFunction, ConsumeController, ConsumeOptions } from './consume.ts';
export type { ConsumeStats } from './consume-stats.ts';
export { record } from './record.ts';
export { ReportCollector } from '../report/collector.ts';
export type { CollectorOptions, ReportData } from '../report/collector.ts';
export { renderReport } from '../report/html.ts';
export type { RecordOptions, RecordSummary } from './record.ts';

// The parts, for tools of one's own.
export { BatchCutter, cutBatches, recordTime, wallTime } from './batch-cutter.ts';
export type { ArrivalClock } from './batch-cutter.ts';
export { wallClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { batchOutcome, settleBatch } from './batch-outcome.ts';
export type { BatchOutcome, FailurePoint, Settlement } from './batch-outcome.ts';
export { eventFor, invokeBatch } from './lambda-event.ts';
export type { EventShape, LocalFunction } from './lambda-event.ts';
export { MAX_BATCH_SIZE, MAX_BATCH_WINDOW_MS, MAX_EVENT_BYTES, recordEventBytes } from './limits.ts';
export type { BatchLimits } from './limits.ts';
export { onFailureMessages, parseOnFailure } from './on-failure.ts';
export { PartitionWorker } from './partition-worker.ts';
export type { PartitionPorts, PartitionSettings } from './partition-worker.ts';
export { readReplayFile } from './replay-file.ts';
export type { ReplayLine, ReplayRecord } from './replay-file.ts';
export { keyPartitioner, readValues, synthInputs, toReplayRecords, valuesToInputs } from './make-events.ts';
export type { RecordSequenceOptions, SynthOptions } from './make-events.ts';
