import type { Context } from 'aws-lambda';
import { fencedOffset } from '../../dsp/snapshot.ts';
import { InvalidSamplesError, StateStoreError } from '../../errors.ts';
import type { OutputMessage } from '../../sink/sink.ts';
import type { StateEntry, StoredState, WindowIndexQuery } from '../../state/store.ts';
import type { KeyWindows } from '../../windows/key-windows.ts';
import type { ClosedWindow } from '../../windows/engine.ts';
import type { PreparedFunction } from '../prepare.ts';
import { Stopwatch, type BatchReport } from '../report.ts';
import type { Runtime } from '../runtime.ts';
import { deadLetterMessage } from '../messages/set-aside.ts';
import { batchLogMessage } from '../messages/batch-log.ts';
import { decodeRecords, type DecodedRecord, type RejectedRecord } from '../steps/decode.ts';
import { stateKeyOf } from '../steps/load-state.ts';
import { logRejected } from '../steps/log-rejected.ts';
import { parseEvent } from '../steps/parse.ts';
import { produce } from '../steps/produce.ts';
import { maxEventTime, runWindowed, type PartitionRecords } from './run.ts';
import { lateByReason, lateMessage, tickRecord, windowMessages } from './results.ts';
import { observeWindowed } from './observe.ts';
import { indexEntry, indexKeyOf, keyEntry, markTicked, partitionsEntry, partitionsKeyOf, readPartitions, restoreIndex, restoreKey, type WindowedKey } from './state.ts';

/** Wall-clock epoch milliseconds (the idle timeout's clock); tests and the CLI pass their own. */
export type WallClock = () => number;

function fencedOff(entry: StoredState | undefined, item: DecodedRecord<unknown>): boolean {
  if (entry === undefined) return false;
  const { topic, partition, offset } = item.record;
  return entry.offsets.some((o) => o.topic === topic && o.partition === partition && o.offset >= offset);
}

/**
 * One batch of a windowed function: decode → one load (the batch's keys, each partition's window
 * index, the keys whose windows the batch closes, the partition list) → pipelines per key as one
 * block → windows per partition in offset order → produce (closed windows, late records, dead
 * letters) → one commit (keys, indexes, and the partition list when it lacks one of the batch's
 * partitions; see commitAll for a conflict on it). A record found late is left out and the batch
 * run again from the state as loaded, so it touches nothing.
 */
export async function processWindowedBatch<M>(event: unknown, context: Pick<Context, 'awsRequestId'>, fn: PreparedFunction<M>, runtime: Runtime, now: WallClock): Promise<BatchReport> {
  const clock = new Stopwatch();
  const { engine } = fn.windows!;
  const parsed = parseEvent(event);
  if (fn.decoder.schemaCodecs.length > 0) await fn.decoder.load();
  const { decoded, rejected, tombstones } = decodeRecords(parsed, fn.decoder, fn.input, fn.channels, fn.tombstones);
  const byPartition = new Map<string, PartitionRecords<M>>();
  for (const item of decoded) {
    const id = `${item.record.topic}-${item.record.partition}`;
    let entry = byPartition.get(id);
    if (entry === undefined) byPartition.set(id, (entry = { topic: item.record.topic, partition: item.record.partition, records: [] }));
    entry.records.push(item);
  }
  const decode = clock.lap();

  const keys = [...new Set(decoded.map((item) => stateKeyOf(fn.name, item.key)))];
  const queries: WindowIndexQuery[] = [...byPartition.values()].map(({ topic, partition, records }) => ({
    index: indexKeyOf(fn.name, topic, partition),
    keyPrefix: stateKeyOf(fn.name, ''),
    maxEventTime: maxEventTime(records, fn.channels),
    allowedLateness: engine.spec.allowedLateness,
  }));
  const stored = await runtime.state.load([...keys, partitionsKeyOf(fn.name)], queries);
  const load = clock.lap();

  // Records their key's fence has seen were applied by an earlier delivery (the partition's index
  // too, unless its fence is behind them: see PartitionRecords.unindexed); a rate the pipeline
  // contradicts is a dead letter (as without windows).
  let skipped = 0;
  const refused: RejectedRecord[] = [];
  const template = fn.definition.pipeline.create(runtime.backend);
  const partitions: PartitionRecords<M>[] = [];
  for (const { topic, partition, records } of byPartition.values()) {
    const pending: DecodedRecord<M>[] = [];
    const unindexed: DecodedRecord<M>[] = [];
    const index = stored.get(indexKeyOf(fn.name, topic, partition));
    const indexed = index === undefined ? -1 : (fencedOffset(index.offsets, topic, partition) ?? -1);
    for (const item of [...records].sort((a, b) => a.record.offset - b.record.offset)) {
      if (fencedOff(stored.get(stateKeyOf(fn.name, item.key)), item)) {
        skipped++;
        if (item.record.offset > indexed) unindexed.push(item);
        continue;
      }
      if (item.block.sampleRate !== undefined) {
        try {
          template.inputRate(item.block.sampleRate);
        } catch (error) {
          if (!(error instanceof InvalidSamplesError)) throw error;
          refused.push({ record: item.record, error: Object.assign(error, { record: { topic, partition, offset: item.record.offset }, key: item.key }) });
          continue;
        }
      }
      pending.push(item);
    }
    if (pending.length > 0 || unindexed.length > 0) partitions.push({ topic, partition, records: pending, unindexed });
  }
  const wall = now();
  const options = { backend: runtime.backend, logger: runtime.logger, now: wall };
  let run = runWindowed(partitions, stored, new Set(), fn, options);
  const late = run.late;
  if (late.length > 0) {
    run = runWindowed(partitions, stored, new Set(late.map((l) => l.item)), fn, options);
    if (run.late.length > 0) throw new StateStoreError(`window run is not repeatable: ${run.late.length} more late record(s) once the late ones were left out`);
  }
  const closed = run.closed.map(({ window, by }) => ({ window, by, record: by?.record ?? tickRecord(window.topic, window.partition, -1, wall) }));
  const windowed = windowMessages(closed, fn);
  const deadLettered = [...rejected, ...refused, ...windowed.rejected];
  const process = clock.lap();

  const report: BatchReport = {
    functionName: fn.name,
    requestId: context.awsRequestId,
    records: parsed.recordCount,
    keys: run.keys.size,
    samples: run.samples,
    results: windowed.results.length,
    deadLetters: deadLettered.length,
    applied: run.applied,
    skipped,
    tombstones,
    late: late.length,
    ...(late.length > 0 ? { lateByReason: lateByReason(late) } : {}),
    windowsClosed: run.closed.length,
    committed: 0,
    duplicates: 0,
    conflicts: 0,
    itemFailures: [],
    timings: { decode, load, process, produce: 0, commit: 0, total: 0 },
  };
  logRejected(deadLettered, context.awsRequestId, runtime.logger);
  const messages: OutputMessage[] = [
    ...windowed.results,
    ...late.map((l) => lateMessage(l, fn)),
    ...deadLettered.map(({ record, error }) => deadLetterMessage(fn.deadLetterTopic(record.topic), record, error, fn.name)),
  ];
  if (fn.definition.logTopic) messages.push(batchLogMessage(fn.definition.logTopic, report));
  await produce(runtime.sink, messages, parsed);
  report.timings.produce = clock.lap();

  const entries: StateEntry[] = [...run.changed].map((key) => keyEntry(fn.name, key, run.keys.get(key)!));
  for (const loaded of run.indexes.values()) entries.push(indexEntry(fn.name, loaded));
  // Every partition of the batch, its records applied now or by an earlier delivery: a delivery
  // whose keys and index were committed while the list conflicted finds its records fenced, and
  // only this registers its partition for the idle tick.
  const registration = unlisted(stored.get(partitionsKeyOf(fn.name)), byPartition.values());
  if (registration !== undefined) entries.push(partitionsEntry(fn.name, registration.listed, registration.added));
  Object.assign(report, await commitAll(entries, runtime, registration && { functionName: fn.name, partitions: registration.added }));
  report.timings.commit = clock.lap();
  report.timings.total = clock.total();
  // Shown once the batch succeeded: a batch that fails and is run again is charted once.
  if (runtime.observe) observeWindowed(runtime.observe, fn, { partitions, late: new Set(late.map((l) => l.item)), outputs: run.outputs }, run.closed);
  return report;
}

type SourcePartition = { readonly topic: string; readonly partition: number };

/** The batch's partitions the loaded list lacks, with the list they are added to; undefined when none. */
function unlisted(listed: StoredState | undefined, partitions: Iterable<SourcePartition>): { listed: StoredState | undefined; added: SourcePartition[] } | undefined {
  const known = new Set(readPartitions(listed).map((p) => `${p.topic}-${p.partition}`));
  const added: SourcePartition[] = [];
  for (const { topic, partition } of partitions) if (!known.has(`${topic}-${partition}`)) added.push({ topic, partition });
  return added.length === 0 ? undefined : { listed, added };
}

/** Rounds of reload-and-merge for the partition list: each one lost to a writer that added partitions meanwhile. */
const LIST_MERGES = 8;

/**
 * The commit of a windowed batch or tick. The keys' windows and the partitions' indexes go
 * together (atomic entries: all written or none), so a conflict (another writer moved something
 * since the load: a batch, or a tick, see TICKS in state.ts) writes nothing and fails the batch, to
 * be run again from what is stored; `reportBatchItemFailures` does not split a windowed batch. The partition
 * list is the exception: only ever grown, a conflict on it means another partition's first batch
 * registered meanwhile, so `registering` (the partitions this batch adds) is merged into the list
 * as it now stands and committed again, rather than failing a batch whose keys were written.
 */
async function commitAll(entries: readonly StateEntry[], runtime: Pick<Runtime, 'state'>, registering?: { functionName: string; partitions: readonly SourcePartition[] }): Promise<{ committed: number; duplicates: number }> {
  if (entries.length === 0) return { committed: 0, duplicates: 0 };
  const results = await runtime.state.commit(entries);
  const list = registering === undefined ? undefined : partitionsKeyOf(registering.functionName);
  const conflicts = results.filter((r) => r.status === 'conflict').map((r) => r.key);
  if (conflicts.some((key) => key !== list)) {
    throw new StateStoreError(`window state of ${conflicts.length} key(s) changed since it was loaded (${conflicts.slice(0, 3).join(', ')}…): another invocation (a batch or an idle tick) moved them; nothing was written, and the batch or tick is to be run again from what is stored`);
  }
  const counts = { committed: results.filter((r) => r.status === 'committed').length, duplicates: results.filter((r) => r.status === 'duplicate').length };
  if (conflicts.length === 0) return counts;
  for (let round = 0; round < LIST_MERGES; round++) {
    const missing = unlisted((await runtime.state.load([list!])).get(list!), registering!.partitions);
    if (missing === undefined) return { ...counts, duplicates: counts.duplicates + 1 };
    const [result] = await runtime.state.commit([partitionsEntry(registering!.functionName, missing.listed, missing.added)]);
    if (result!.status === 'committed') return { ...counts, committed: counts.committed + 1 };
    if (result!.status === 'duplicate') return { ...counts, duplicates: counts.duplicates + 1 };
  }
  throw new StateStoreError(`the window partition list ${list!} kept changing while this batch added its partitions to it; the batch will be retried`);
}

/**
 * The idle tick (a scheduled invocation, or `dspfn replay`/`consume`): the windows of every
 * partition without records for `idleTimeout` of wall-clock time close, as if its watermark had
 * passed them. Three loads (the partition list, the indexes, the keys of idle partitions) and one
 * commit; a function without `idleTimeout` does nothing.
 */
export async function processTick<M>(context: Pick<Context, 'awsRequestId'>, fn: PreparedFunction<M>, runtime: Runtime, now: WallClock): Promise<BatchReport> {
  const clock = new Stopwatch();
  const { engine } = fn.windows!;
  const report: BatchReport = {
    functionName: fn.name,
    requestId: context.awsRequestId,
    records: 0,
    keys: 0,
    samples: 0,
    results: 0,
    deadLetters: 0,
    applied: 0,
    skipped: 0,
    tombstones: 0,
    late: 0,
    windowsClosed: 0,
    committed: 0,
    duplicates: 0,
    conflicts: 0,
    itemFailures: [],
    timings: { decode: 0, load: 0, process: 0, produce: 0, commit: 0, total: 0 },
  };
  if (engine.spec.idleTimeout === undefined) return report;
  const wall = now();
  const listed = readPartitions((await runtime.state.load([partitionsKeyOf(fn.name)])).get(partitionsKeyOf(fn.name)));
  const indexKeys = listed.map((p) => indexKeyOf(fn.name, p.topic, p.partition));
  const storedIndexes = await runtime.state.load(indexKeys);
  const idle = listed
    .map((p, i) => ({ loaded: restoreIndex(engine.spec, p.topic, p.partition, storedIndexes.get(indexKeys[i]!)) }))
    .map(({ loaded }) => ({ loaded, keys: engine.keysForTick(loaded.index, wall) }))
    .filter(({ keys }) => keys.length > 0);
  if (idle.length === 0) return report;
  const storedKeys = await runtime.state.load([...new Set(idle.flatMap(({ keys }) => keys.map((key) => stateKeyOf(fn.name, key))))]);
  report.timings.load = clock.lap();
  const states = new Map<string, WindowedKey>();
  const closed: Array<{ window: ClosedWindow; by: undefined; record: ReturnType<typeof tickRecord> }> = [];
  const changed = new Set<string>();
  for (const { loaded, keys } of idle) {
    const windows = new Map<string, KeyWindows>();
    for (const key of keys) {
      let state = states.get(key);
      if (state === undefined) states.set(key, (state = restoreKey(key, storedKeys.get(stateKeyOf(fn.name, key)), fn, engine.spec, runtime.backend, runtime.logger)));
      windows.set(key, state.windows);
    }
    const run = engine.tick(loaded.index, windows, wall);
    const record = tickRecord(loaded.index.topic, loaded.index.partition, loaded.offset, wall);
    for (const window of run.closed) closed.push({ window, by: undefined, record });
    for (const key of run.touched.keys()) changed.add(key);
    loaded.ticks++;
  }
  // Every value the tick writes counts it, so a batch that loaded before it conflicts (see TICKS).
  for (const key of changed) markTicked(states.get(key)!);
  const windowed = windowMessages(closed, fn);
  logRejected(windowed.rejected, context.awsRequestId, runtime.logger);
  Object.assign(report, { keys: states.size, results: windowed.results.length, deadLetters: windowed.rejected.length, windowsClosed: closed.length });
  report.timings.process = clock.lap();
  await produce(
    runtime.sink,
    [...windowed.results, ...windowed.rejected.map(({ record, error }) => deadLetterMessage(fn.deadLetterTopic(record.topic), record, error, fn.name))],
    { bootstrapServers: [] },
  );
  report.timings.produce = clock.lap();
  const entries = [...[...changed].map((key) => keyEntry(fn.name, key, states.get(key)!)), ...idle.map(({ loaded }) => indexEntry(fn.name, loaded))];
  Object.assign(report, await commitAll(entries, runtime));
  report.timings.commit = clock.lap();
  report.timings.total = clock.total();
  if (runtime.observe) observeWindowed(runtime.observe, fn, undefined, closed);
  return report;
}
