import type { Context } from 'aws-lambda';
import { DeferredObserver } from './observer.ts';
import type { PreparedFunction } from './prepare.ts';
import { Stopwatch, type BatchReport } from './report.ts';
import type { Runtime } from './runtime.ts';
import { buildMessages, outgoing } from './steps/build-messages.ts';
import { commitState } from './steps/commit-state.ts';
import { decodeRecords, type DecodedRecord } from './steps/decode.ts';
import { groupByKey } from './steps/group.ts';
import { loadState } from './steps/load-state.ts';
import { logRejected } from './steps/log-rejected.ts';
import { parseEvent } from './steps/parse.ts';
import { produce } from './steps/produce.ts';
import { runPipelines } from './steps/run-pipelines.ts';
import { processTick, processWindowedBatch } from './windowed/process.ts';
import { SlabPool, type SlabLease } from '../events/slab-pool.ts';
import { resultArena } from './message-values.ts';

export type { BatchReport, BatchTimings, KafkaItemFailure } from './report.ts';

/**
 * One batch: parse → decode → group by key → load state → run pipelines → build messages →
 * produce → commit state. Outputs are produced before state is committed, and any failure of
 * either rejects the batch, so the event source redelivers it and the offset fence keeps state
 * effectively-once.
 */
export async function processBatch<M>(event: unknown, context: Pick<Context, 'awsRequestId'>, fn: PreparedFunction<M>, runtime: Runtime): Promise<BatchReport> {
  if (fn.windows) {
    const now = runtime.now ?? Date.now;
    return isTick(event) ? processTick(context, fn, runtime, now) : processWindowedBatch(event, context, fn, runtime, now);
  }
  // Decoded records in pooled memory only where nothing can keep a view of them (record-memory.ts).
  const lease = fn.reusesEventMemory && !runtime.observe ? eventMemory.lease() : undefined;
  try {
    return await processRecords(event, context, fn, runtime, lease);
  } finally {
    lease?.release();
  }
}

/** The pool of processBatch's leases: one slab's worth of memory for the process. */
const eventMemory = new SlabPool();

async function processRecords<M>(event: unknown, context: Pick<Context, 'awsRequestId'>, fn: PreparedFunction<M>, runtime: Runtime, lease: SlabLease | undefined): Promise<BatchReport> {
  const clock = new Stopwatch();
  const parsed = parseEvent(event, lease && { memory: (bytes) => lease.allocate(bytes), shareHeaders: true, valueMemory: true });
  // Protobuf/Avro load their library and schema once, on first use (or in warm()).
  if (fn.decoder.schemaCodecs.length > 0) await fn.decoder.load();
  const { decoded, rejected, tombstones } = decodeRecords(parsed, fn.decoder, fn.input, fn.channels, fn.tombstones);
  // Let go of (undefined) once the pipelines have run: see firstRecords below.
  let groups: Map<string, DecodedRecord<M>[]> | undefined = groupByKey(decoded);
  decoded.length = 0;
  const decode = clock.lap();

  const loaded = await loadState(groups.keys(), fn, runtime);
  const load = clock.lap();

  // What the batch shows an observer (`--report`) waits for its commit: a retried batch shows once.
  const observer = runtime.observe && new DeferredObserver(runtime.observe);
  // Result JSON in arena memory that later batches reuse once the sink is done with this batch's
  // (a sink that keeps nothing after its send resolved; nothing else sees results without an observer).
  const results = runtime.sink.releasesValues === true && !runtime.observe ? resultArena.lease() : undefined;
  const run = resultArena.writing(results, () => runPipelines(groups!, loaded, fn, observer));
  // Dead letters outlive the batch (a sink may keep them): their bytes leave pooled memory.
  const messages = buildMessages(run, rejected, fn, lease !== undefined);
  const keys = groups.size;
  // While the batch waits for Kafka, its decoded records (their blocks and sample views: a few
  // hundred bytes each) would survive every young-generation collection in between: nothing after
  // this point reads them but a state conflict's batch item failures, which need only each key's
  // first record per partition.
  const firstRecords = fn.definition.reportBatchItemFailures ? firstRecordsOf(groups) : EMPTY_GROUPS;
  groups = undefined;
  const process = clock.lap();

  // The batch log (logTopic) is this report as it stands before produce and commit.
  const report: BatchReport = {
    functionName: fn.name,
    requestId: context.awsRequestId,
    records: parsed.recordCount,
    keys,
    samples: run.samples,
    results: messages.results.length,
    deadLetters: messages.deadLetters.length,
    applied: run.applied,
    skipped: run.skipped,
    tombstones,
    committed: 0,
    duplicates: 0,
    conflicts: 0,
    itemFailures: [],
    timings: { decode, load, process, produce: 0, commit: 0, total: 0 },
  };
  logRejected(messages.rejected, context.awsRequestId, runtime.logger);
  await produce(runtime.sink, outgoing(messages, report, fn), parsed);
  // Acknowledged, and the sink reads the values no more: a failed send keeps them (never released).
  results?.release();
  report.timings.produce = clock.lap();

  Object.assign(report, await commitState(run, loaded, firstRecords, fn, runtime));
  report.timings.commit = clock.lap();
  report.timings.total = clock.total();
  observer?.flush();
  return report;
}

/** No groups: without reportBatchItemFailures a conflict fails the whole batch. */
const EMPTY_GROUPS: ReadonlyMap<string, never[]> = new Map();

/** Each key's first record per partition (where a batch item failure of the key starts). */
function firstRecordsOf<M>(groups: ReadonlyMap<string, readonly DecodedRecord<M>[]>): Map<string, DecodedRecord<M>[]> {
  const first = new Map<string, DecodedRecord<M>[]>();
  for (const [key, records] of groups) {
    const kept: DecodedRecord<M>[] = [];
    for (const item of records) if (!kept.some((k) => k.record.partition === item.record.partition && k.record.topic === item.record.topic)) kept.push(item);
    first.set(key, kept);
  }
  return first;
}

/**
 * The idle tick of windowed functions: an EventBridge scheduled event (the `schedule` the deploy
 * adds when a window has an `idleTimeout`), or `{ "dspfn": "tick" }` (replay and consume).
 */
export function isTick(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const fields = event as Record<string, unknown>;
  return fields.dspfn === 'tick' || (fields.source === 'aws.events' && fields['detail-type'] === 'Scheduled Event');
}
