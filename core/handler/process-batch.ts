import type { Context } from 'aws-lambda';
import { StateStoreError } from '../errors.ts';
import { parseKafkaEvent } from '../events/parse.ts';
import type { OutputMessage } from '../sink/sink.ts';
import type { StateEntry } from '../state/store.ts';
import { decodeRecords, defaultInput } from './decode-records.ts';
import { DEFAULT_PROPAGATED_HEADERS, type FunctionDefinition } from './definition.ts';
import { groupByKey } from './group-by-key.ts';
import { loadPipelines } from './load-state.ts';
import { deadLetterMessage } from './outputs.ts';
import { runPipelines } from './run-pipelines.ts';
import type { Runtime } from './runtime.ts';

export interface BatchTimings {
  decode: number;
  load: number;
  process: number;
  produce: number;
  commit: number;
  total: number;
}

export interface BatchReport {
  functionName: string;
  requestId: string;
  records: number;
  keys: number;
  samples: number;
  results: number;
  deadLetters: number;
  /** Records already applied by an earlier delivery of the same offsets. */
  skipped: number;
  committed: number;
  /** Keys the store already held at these offsets (a redelivered batch). */
  duplicates: number;
  /** Milliseconds per step. */
  timings: BatchTimings;
  /**
   * With `reportBatchItemFailures`: per partition, the first offset whose key could not be
   * committed. The event source redelivers from there; the offset fence skips what was applied.
   */
  itemFailures: KafkaItemFailure[];
}

/** A Kafka batch item identifier as Lambda expects it: `{ partition: "topic-0", offset }`. */
export interface KafkaItemFailure {
  partition: string;
  offset: number;
}

export function stateKeyOf(functionName: string, key: string): string {
  return `${functionName}:${key}`;
}

function deadLetterTopicFor<M>(definition: FunctionDefinition<M>, sourceTopic: string): string {
  const target = definition.deadLetterTopic;
  if (typeof target === 'string') return target;
  return target ? target(sourceTopic) : `${sourceTopic}.dlq`;
}

/**
 * decode → group by key → load state → run pipelines → produce → commit.
 * Outputs are produced before state is committed, and any failure of either rejects the batch,
 * so the event source redelivers it and the offset fence keeps state effectively-once.
 */
export async function processBatch<M>(
  event: unknown,
  context: Pick<Context, 'awsRequestId'>,
  definition: FunctionDefinition<M>,
  runtime: Runtime,
): Promise<BatchReport> {
  const started = performance.now();
  const propagate = definition.propagateHeaders?.map((h) => h.toLowerCase()) ?? DEFAULT_PROPAGATED_HEADERS;
  const parsed = parseKafkaEvent(event);
  const { decoded, rejected } = decodeRecords(
    parsed,
    definition.codec ?? 'json',
    definition.input ?? defaultInput<M>,
    definition.pipeline.channels,
  );
  const groups = groupByKey(decoded);
  const decodedAt = performance.now();

  const stateKeys = new Map([...groups.keys()].map((key) => [key, stateKeyOf(definition.name, key)]));
  const states = await loadPipelines(
    stateKeys,
    definition.pipeline,
    runtime.state,
    runtime.backend,
    definition.onStateMismatch ?? 'error',
    runtime.logger,
  );
  const loadedAt = performance.now();

  const run = runPipelines(groups, states, definition, propagate);
  const allRejected = [...rejected, ...run.rejected];
  const deadLetters = allRejected.map(({ record, error }) =>
    deadLetterMessage(deadLetterTopicFor(definition, record.topic), record, error, definition.name),
  );
  const processedAt = performance.now();

  const report: BatchReport = {
    functionName: definition.name,
    requestId: context.awsRequestId,
    records: parsed.recordCount,
    keys: groups.size,
    samples: run.samples,
    results: run.results.length,
    deadLetters: deadLetters.length,
    skipped: run.skipped,
    committed: 0,
    duplicates: 0,
    itemFailures: [],
    timings: { decode: decodedAt - started, load: loadedAt - decodedAt, process: processedAt - loadedAt, produce: 0, commit: 0, total: 0 },
  };
  for (const { record, error } of allRejected) {
    runtime.logger.log('warn', 'record dead-lettered', {
      requestId: context.awsRequestId,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      reason: error.message,
    });
  }

  const messages: OutputMessage[] = [...run.results, ...deadLetters];
  if (definition.logTopic) messages.push(batchLogMessage(definition.logTopic, report));
  await runtime.sink.send(messages);
  const producedAt = performance.now();

  const entries: StateEntry[] = [];
  for (const key of run.advanced) {
    const { pipeline, expected } = states.get(key)!;
    entries.push({ key: stateKeys.get(key)!, snapshot: pipeline.snapshot(), offsets: pipeline.offsets(), expected });
  }
  if (entries.length > 0) {
    const outcomes = await runtime.state.commit(entries);
    const conflicts = outcomes.filter((o) => o.status === 'conflict').map((o) => o.key);
    report.committed = outcomes.filter((o) => o.status === 'committed').length;
    report.duplicates = outcomes.filter((o) => o.status === 'duplicate').length;
    if (conflicts.length > 0) {
      if (!definition.reportBatchItemFailures) {
        throw new StateStoreError(
          `state of ${conflicts.length} key(s) changed since it was loaded (${conflicts.slice(0, 3).join(', ')}…): another invocation advanced them; the batch will be retried`,
        );
      }
      const keyOf = new Map([...stateKeys].map(([key, stateKey]) => [stateKey, key]));
      report.itemFailures = firstOffsetsOf(conflicts.map((stateKey) => groups.get(keyOf.get(stateKey)!)!));
      runtime.logger.log('warn', 'state conflict: reporting batch item failures', { keys: conflicts.length, itemFailures: report.itemFailures });
    }
  }
  const committedAt = performance.now();
  report.timings.produce = producedAt - processedAt;
  report.timings.commit = committedAt - producedAt;
  report.timings.total = committedAt - started;
  return report;
}

function firstOffsetsOf(groups: ReadonlyArray<ReadonlyArray<{ record: { topic: string; partition: number; offset: number } }>>): KafkaItemFailure[] {
  const first = new Map<string, number>();
  for (const group of groups) {
    for (const { record } of group) {
      const id = `${record.topic}-${record.partition}`;
      const at = first.get(id);
      if (at === undefined || record.offset < at) first.set(id, record.offset);
    }
  }
  return [...first].map(([partition, offset]) => ({ partition, offset }));
}

function batchLogMessage(topic: string, report: BatchReport): OutputMessage {
  return {
    kind: 'log',
    topic,
    key: report.functionName,
    value: JSON.stringify({ message: 'batch', ...report }),
    headers: { 'content-type': 'application/json' },
  };
}
