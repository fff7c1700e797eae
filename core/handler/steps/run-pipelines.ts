import { DspfnError, NativeKernelError, OutputError, describeError } from '../../errors.ts';
import type { KafkaRecord } from '../../events/types.ts';
import type { ResultContext } from '../definition.ts';
import { evaluateOutput, type OutputJson } from '../evaluate-output.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord, RejectedRecord } from './decode.ts';
import type { KeyState, LoadedState } from './load-state.ts';

export interface PipelineRun<M> {
  /**
   * Every record applied to its key's state whose output has frames (or one per key with emit:
   * 'batch'), in key then offset order. A record whose output is empty (a spectrum frame not yet
   * complete) is applied but has nothing to say: no context, no message.
   */
  processed: ResultContext<M>[];
  /** Beside each processed context: its message key and what its output says to send. */
  messageKeys: string[];
  json: OutputJson[];
  /** Records whose output failed: dead-lettered, and not applied to their key's state. */
  rejected: RejectedRecord[];
  /** Records applied to their key's state in this batch (with or without a message). */
  applied: number;
  /** Records at or below a key's fence: applied by an earlier delivery, so not applied again. */
  skipped: number;
  samples: number;
  /** Keys whose state changed and must be committed. */
  advanced: Set<string>;
}

/**
 * Step: each key's records through its pipeline in offset order, skipping those its fence says
 * were applied already, and marking each applied offset. Each record's output is evaluated right
 * after it runs, before the key's next record: a record whose output fails is undone, so later
 * records of the key see the state as if it had never come.
 */
export function runPipelines<M>(
  groups: ReadonlyMap<string, readonly DecodedRecord<M>[]>,
  loaded: LoadedState,
  fn: PreparedFunction<M>,
): PipelineRun<M> {
  const run: PipelineRun<M> = { processed: [], messageKeys: [], json: [], rejected: [], applied: 0, skipped: 0, samples: 0, advanced: new Set() };
  const { output } = fn.definition;
  for (const [key, records] of groups) {
    const state = loaded.states.get(key)!;
    if (fn.emit === 'batch') {
      runKeyForOneResult(key, records, state, fn, run);
      continue;
    }
    // The key's records applied so far in this batch, to redo them if a later one is undone.
    const applied: DecodedRecord<M>[] = [];
    for (const item of records) {
      const { record } = item;
      if (state.pipeline.hasAbsorbed(record.topic, record.partition, record.offset)) {
        run.skipped++;
        continue;
      }
      const timestamp = item.block.timestamp ?? record.timestamp;
      // The output carries its own first-sample time and rate (a rate-changing stage moves them).
      const out = runRecord(state, item.samples, { timestamp, sampleRate: item.block.sampleRate }, record, key);
      if (out.frames === 0) {
        state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
        applied.push(item);
        run.advanced.add(key);
        run.samples += item.samples.length;
        continue;
      }
      const context: ResultContext<M> = {
        functionName: fn.name,
        key,
        record,
        block: item.block,
        output: out.samples,
        outChannels: out.channels,
        frames: out.frames,
        timestamp: out.timestamp ?? timestamp,
        sampleRate: out.sampleRate,
      };
      let results: { messageKey: string; json: OutputJson };
      try {
        results = evaluateOutput(context, output);
      } catch (error) {
        undo(state, applied);
        const location = { topic: record.topic, partition: record.partition, offset: record.offset };
        const reason = error instanceof DspfnError ? error : new OutputError(`output failed: ${describeError(error)}`, { cause: error, key });
        run.rejected.push({ record, error: Object.assign(reason, { record: location }) });
        continue;
      }
      state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
      applied.push(item);
      run.advanced.add(key);
      run.samples += item.samples.length;
      run.processed.push(context);
      run.messageKeys.push(results.messageKey);
      run.json.push(results.json);
    }
    run.applied += applied.length;
  }
  return run;
}

/**
 * `emit: 'batch'`: the key's new records of the batch in offset order, then one output for all of
 * them. If that output fails, none of them touches the key's state and each is dead-lettered.
 */
function runKeyForOneResult<M>(key: string, records: readonly DecodedRecord<M>[], state: KeyState, fn: PreparedFunction<M>, run: PipelineRun<M>): void {
  const applied: Array<{ item: DecodedRecord<M>; output: Float32Array; channels: number; frames: number; timestamp: number; outputTime: number; outputRate: number | undefined }> =
    [];
  for (const item of records) {
    const { record } = item;
    if (state.pipeline.hasAbsorbed(record.topic, record.partition, record.offset)) {
      run.skipped++;
      continue;
    }
    const timestamp = item.block.timestamp ?? record.timestamp;
    const out = runRecord(state, item.samples, { timestamp, sampleRate: item.block.sampleRate }, record, key);
    applied.push({ item, output: out.samples, channels: out.channels, frames: out.frames, timestamp, outputTime: out.timestamp ?? timestamp, outputRate: out.sampleRate });
    state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
  }
  if (applied.length === 0) return;
  const output = new Float32Array(applied.reduce((n, a) => n + a.output.length, 0));
  let at = 0;
  for (const a of applied) {
    output.set(a.output, at);
    at += a.output.length;
  }
  const last = applied[applied.length - 1]!.item;
  const frames = applied.reduce((n, a) => n + a.frames, 0);
  if (frames === 0) {
    // Applied, with nothing to say yet (e.g. no spectrum frame completed in this batch).
    run.advanced.add(key);
    run.applied += applied.length;
    for (const { item } of applied) run.samples += item.samples.length;
    return;
  }
  // The output's frames are consecutive in the output stream: it starts at the first record's
  // first frame (a rate-changing stage times it, e.g. a spectrum frame at its first sample).
  const first = applied.find((a) => a.frames > 0)!;
  const context: ResultContext<M> = {
    functionName: fn.name,
    key,
    record: last.record,
    block: last.block,
    output,
    outChannels: applied[0]!.channels,
    frames,
    timestamp: first.outputTime,
    sampleRate: first.outputRate,
    records: applied.map((a) => ({ record: a.item.record, block: a.item.block, timestamp: a.timestamp })),
  };
  let results: { messageKey: string; json: OutputJson };
  try {
    results = evaluateOutput(context, fn.definition.output);
  } catch (error) {
    state.pipeline = state.reload();
    for (const { item } of applied) {
      const { record } = item;
      const location = { topic: record.topic, partition: record.partition, offset: record.offset };
      run.rejected.push({ record, error: new OutputError(`${describeError(error)} (one result for ${applied.length} record(s) of the batch)`, { cause: error, record: location, key }) });
    }
    return;
  }
  run.advanced.add(key);
  run.applied += applied.length;
  for (const { item } of applied) run.samples += item.samples.length;
  run.processed.push(context);
  run.messageKeys.push(results.messageKey);
  run.json.push(results.json);
}

/**
 * Back to the state as loaded, then the batch's earlier records of the key again: their outputs
 * stand, and nothing is copied on the path where every record succeeds.
 */
function undo<M>(state: KeyState, applied: readonly DecodedRecord<M>[]): void {
  state.pipeline = state.reload();
  for (const { record, samples } of applied) {
    state.pipeline.process(samples);
    state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
  }
}

/** One record through its key's pipeline; a stage that fails names the record and key (inRecord). */
function runRecord(state: KeyState, samples: Float32Array, timing: { timestamp: number; sampleRate: number | undefined }, record: KafkaRecord, key: string) {
  try {
    return state.pipeline.run(samples, timing);
  } catch (error) {
    throw inRecord(error, record, key);
  }
}

/**
 * A stage that failed on a record fails the batch (its key's state is half-updated, so nothing may
 * be committed), with the record and key it failed on, which the kernel cannot know.
 */
function inRecord(error: unknown, record: KafkaRecord, key: string): DspfnError {
  const location = { topic: record.topic, partition: record.partition, offset: record.offset };
  const where = `${record.topic}-${record.partition}@${record.offset}, key ${key.length > 64 ? `${key.slice(0, 64)}…` : key}`;
  if (error instanceof DspfnError) {
    if (error.record === undefined) Object.assign(error, { record: location, key });
    error.message = `${error.message} (${where})`;
    return error;
  }
  return new NativeKernelError(`a pipeline stage failed: ${describeError(error)} (${where})`, { cause: error, record: location, key });
}
