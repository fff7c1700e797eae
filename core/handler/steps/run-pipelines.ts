import { DspfnError, InvalidSamplesError, NativeKernelError, OutputError, describeError } from '../../errors.ts';
import type { PipelineOutput } from '../../dsp/pipeline.ts';
import type { KafkaRecord } from '../../events/types.ts';
import type { ResultContext, ResultEvent } from '../definition.ts';
import type { SignalObserver } from '../observer.ts';
import { evaluateOutput, outputJson, outputKey, type OutputJson } from '../evaluate-output.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord, RejectedRecord } from './decode.ts';
import { OutputSlab, outputView, runBlock } from './key-block.ts';
import type { KeyState, LoadedState } from './load-state.ts';
import type { OutputMessage } from '../../sink/sink.ts';
import { f32leBytes, f32leMessage } from '../messages/result.ts';
import { pushResultMessages } from './build-messages.ts';

export interface PipelineRun<M> {
  /** Records whose output failed: dead-lettered, and not applied to their key's state. */
  rejected: RejectedRecord[];
  /** Records applied to their key's state in this batch (with or without a message). */
  applied: number;
  /** Records at or below a key's fence: applied by an earlier delivery, so not applied again. */
  skipped: number;
  samples: number;
  /** Keys whose state changed and must be committed. */
  advanced: Set<string>;
  /** The key last added to `advanced` (a key's records are applied one after another). */
  lastAdvanced?: string;
  /** The batch's block outputs (same-rate pipelines). */
  readonly slab: OutputSlab;
  /**
   * The result messages, built as each record's output is evaluated (its context is not kept), in
   * key then offset order: every record applied to its key's state whose output has frames (or one
   * per key with emit: 'batch'). A record whose output is empty (a spectrum frame not yet complete)
   * is applied but has nothing to say: no message.
   */
  results: OutputMessage[];
}

/** `outputValues`: what the batch's block outputs need, to size the slab once. */
export function newPipelineRun<M>(outputValues = 0): PipelineRun<M> {
  return { rejected: [], applied: 0, skipped: 0, samples: 0, advanced: new Set(), lastAdvanced: undefined, slab: new OutputSlab(outputValues), results: [] };
}

/**
 * Step: each key's records through its pipeline in offset order, skipping those its fence says
 * were applied already, and marking each applied offset. A key's records run as ONE block when
 * every stage keeps the frame rate (see key-block.ts): each record then gets its own output frames
 * and keeps its own time. Each record's output is evaluated in offset order; a record whose output
 * fails is undone — the key goes back to its loaded state, its records applied before are run again,
 * and the records after it run as a new block — so later records see the state as if it had never
 * come. Pipelines with a rate-changing stage (spectra) run record by record.
 */
export function runPipelines<M>(
  groups: ReadonlyMap<string, readonly DecodedRecord<M>[]>,
  loaded: LoadedState,
  fn: PreparedFunction<M>,
  observer?: SignalObserver,
): PipelineRun<M> {
  const spec = fn.definition.pipeline;
  let inputValues = 0;
  if (spec.rateChanger === undefined && spec.eventStage === undefined) {
    for (const records of groups.values()) for (let i = 0; i < records.length; i++) inputValues += records[i]!.samples.length;
  }
  const run = newPipelineRun<M>((inputValues / spec.channels) * spec.outChannels);
  const direct = directResults(fn, observer);
  for (const [key, records] of groups) {
    const state = loaded.states.get(key)!;
    const pending = newRecords(key, records, state, run);
    if (pending.length === 0) continue;
    if (fn.emit === 'batch') runKeyForOneResult(key, pending, state, fn, run, observer);
    else if (state.pipeline.sameRate) {
      if (direct) runKeyAsBlockDirect(key, pending, state, fn, run);
      else runKeyAsBlock(key, pending, state, fn, run, observer);
    }
    else runKeyRecordByRecord(key, pending, state, fn, run, observer);
  }
  return run;
}

/**
 * Raw f32le results with no `output.key` say the same for every record (its key, its output
 * frames) and cannot fail, and without an observer nothing reads a record's ResultContext: block
 * runs then build each result message straight from the block's output, without a context, an
 * output view or an evaluated output per record.
 */
function directResults<M>(fn: PreparedFunction<M>, observer: SignalObserver | undefined): boolean {
  const { output } = fn.definition;
  return output.format === 'f32le' && output.key === undefined && observer === undefined;
}

/**
 * The key's records its fence has not seen (the others are counted as skipped), without those
 * whose sample rate contradicts a rate the pipeline declares: they are dead-lettered untouched.
 */
export function newRecords<M>(key: string, records: readonly DecodedRecord<M>[], state: KeyState, run: PipelineRun<M>): readonly DecodedRecord<M>[] {
  // The group itself while every record is new (the common case); a copy from the first left out.
  let pending: DecodedRecord<M>[] | undefined;
  // The last rate found consistent with the pipeline's: records of a key mostly repeat theirs.
  let consistent: number | undefined;
  for (let i = 0; i < records.length; i++) {
    const item = records[i]!;
    const { record } = item;
    if (state.pipeline.hasAbsorbed(record.topic, record.partition, record.offset)) {
      run.skipped++;
      pending ??= records.slice(0, i);
      continue;
    }
    if (item.block.sampleRate !== undefined && item.block.sampleRate !== consistent) {
      try {
        state.pipeline.inputRate(item.block.sampleRate);
        consistent = item.block.sampleRate;
      } catch (error) {
        if (!(error instanceof InvalidSamplesError)) throw error;
        run.rejected.push({ record, error: Object.assign(error, { record: locationOf(item), key }) });
        pending ??= records.slice(0, i);
        continue;
      }
    }
    pending?.push(item);
  }
  return pending ?? records;
}

function locationOf<M>({ record }: DecodedRecord<M>): { topic: string; partition: number; offset: number } {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

function outputFailed<M>(item: DecodedRecord<M>, key: string, error: unknown, run: PipelineRun<M>): void {
  const reason = error instanceof DspfnError ? error : new OutputError(`output failed: ${describeError(error)}`, { cause: error, key });
  run.rejected.push({ record: item.record, error: Object.assign(reason, { record: locationOf(item) }) });
}

function applied<M>(key: string, item: DecodedRecord<M>, state: KeyState, run: PipelineRun<M>): void {
  const { record } = item;
  state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
  if (run.lastAdvanced !== key) {
    run.advanced.add(key);
    run.lastAdvanced = key;
  }
  run.applied++;
  run.samples += item.samples.length;
}

function emitted<M>(context: ResultContext<M>, results: { messageKey: string; json: OutputJson }, fn: PreparedFunction<M>, run: PipelineRun<M>): void {
  pushResultMessages(run.results, context, results.messageKey, results.json, fn);
}

/** Same-rate pipelines: the key's records as one block, each record's output frames a view of it. */
function runKeyAsBlock<M>(key: string, pending: readonly DecodedRecord<M>[], state: KeyState, fn: PreparedFunction<M>, run: PipelineRun<M>, observer: SignalObserver | undefined): void {
  const inChannels = fn.channels;
  const outChannels = state.pipeline.spec.outChannels;
  const done: DecodedRecord<M>[] = [];
  // The records' rates were checked (newRecords) and mostly repeat: the rate is worked out again
  // only when a record gives another one.
  let givenRate = pending[0]!.block.sampleRate;
  let rate = state.pipeline.inputRate(givenRate);
  let from = 0;
  while (from < pending.length) {
    const output = inRecords(key, pending, from, () => runBlock(state.pipeline, pending, run.slab, from));
    let at = 0;
    let restart = pending.length;
    for (let i = from; i < pending.length; i++) {
      const item = pending[i]!;
      const length = item.samples.length;
      const view = outputView(output, at, length, inChannels, outChannels);
      at += length;
      const timestamp = item.block.timestamp ?? item.record.timestamp;
      if (length === 0) {
        observer?.input(key, item.samples, inChannels, timestamp, item.block.sampleRate);
        applied(key, item, state, run);
        done.push(item);
        continue;
      }
      const context: ResultContext<M> = {
        functionName: fn.name,
        key,
        record: item.record,
        block: item.block,
        output: view,
        outChannels,
        frames: length / inChannels,
        timestamp,
        sampleRate: item.block.sampleRate === givenRate ? rate : (rate = state.pipeline.inputRate((givenRate = item.block.sampleRate))),
        // Only pipelines that keep the frame rate run as a block: no event stage, no events.
        events: NO_EVENTS,
      };
      if (!emitResult(key, item, context, state, fn, run, observer, done)) {
        restart = i + 1;
        break;
      }
    }
    from = restart;
  }
}

/** runKeyAsBlock for directResults: one block, nothing to undo (a direct result cannot fail). */
function runKeyAsBlockDirect<M>(key: string, pending: readonly DecodedRecord<M>[], state: KeyState, fn: PreparedFunction<M>, run: PipelineRun<M>): void {
  const { pipeline } = state;
  const inChannels = fn.channels;
  const outChannels = pipeline.spec.outChannels;
  const topic = fn.definition.output.topic;
  const output = inRecords(key, pending, 0, () => runBlock(pipeline, pending, run.slab, 0));
  let at = 0;
  for (let i = 0; i < pending.length; i++) {
    const item = pending[i]!;
    const { record, block } = item;
    const length = item.samples.length;
    if (length > 0) {
      const value = f32leBytes(output, (at / inChannels) * outChannels, (length / inChannels) * outChannels);
      const timestamp = block.timestamp ?? record.timestamp;
      run.results.push(f32leMessage(topic, key, value, outChannels, timestamp, pipeline.inputRate(block.sampleRate), record, fn.name, fn.propagate));
    }
    at += length;
    applied(key, item, state, run);
  }
}

/** Pipelines with a rate-changing stage: each record's output carries the time and rate the stages give it. */
function runKeyRecordByRecord<M>(
  key: string,
  pending: readonly DecodedRecord<M>[],
  state: KeyState,
  fn: PreparedFunction<M>,
  run: PipelineRun<M>,
  observer: SignalObserver | undefined,
): void {
  const done: DecodedRecord<M>[] = [];
  for (let i = 0; i < pending.length; i++) {
    const item = pending[i]!;
    const timestamp = item.block.timestamp ?? item.record.timestamp;
    const out = inRecords(key, pending, i, () => state.pipeline.run(item.samples, { timestamp, sampleRate: item.block.sampleRate }), 1);
    if (out.frames === 0) {
      observer?.input(key, item.samples, fn.channels, timestamp, item.block.sampleRate);
      applied(key, item, state, run);
      done.push(item);
      continue;
    }
    const context: ResultContext<M> = {
      functionName: fn.name,
      key,
      record: item.record,
      block: item.block,
      output: out.samples,
      outChannels: out.channels,
      frames: out.frames,
      timestamp: out.timestamp ?? timestamp,
      sampleRate: out.sampleRate,
      events: timedEvents(out),
    };
    emitResult(key, item, context, state, fn, run, observer, done);
  }
}

/**
 * One record's result: its output evaluated, then the record applied and its result emitted. False
 * when the output threw: the record is rejected and the key's records applied so far are undone.
 */
function emitResult<M>(
  key: string,
  item: DecodedRecord<M>,
  context: ResultContext<M>,
  state: KeyState,
  fn: PreparedFunction<M>,
  run: PipelineRun<M>,
  observer: SignalObserver | undefined,
  done: DecodedRecord<M>[],
): boolean {
  // evaluateOutput's two halves, without an object for their answers.
  let messageKey: string;
  let json: OutputJson;
  try {
    messageKey = outputKey(context, fn.definition.output);
    json = outputJson(context, fn.definition.output);
  } catch (error) {
    outputFailed(item, key, error, run);
    undo(state, done, run.slab);
    return false;
  }
  if (observer) {
    observer.input(key, item.samples, fn.channels, item.block.timestamp ?? item.record.timestamp, item.block.sampleRate);
    observer.output(key, context.output, context.outChannels, context.frames, context.timestamp, context.sampleRate);
  }
  applied(key, item, state, run);
  done.push(item);
  pushResultMessages(run.results, context, messageKey, json, fn);
  return true;
}

interface KeyOutput {
  readonly output: Float32Array;
  readonly channels: number;
  readonly frames: number;
  /** Of the output's first frame. */
  readonly timestamp: number;
  readonly sampleRate: number | undefined;
  readonly events: readonly ResultEvent[];
}

/** The key's records in one output: one block (same-rate pipelines), else record by record, concatenated. */
function runForOneResult<M>(key: string, pending: readonly DecodedRecord<M>[], state: KeyState, fn: PreparedFunction<M>, slab: OutputSlab, observer: SignalObserver | undefined): KeyOutput {
  const { pipeline } = state;
  if (pipeline.sameRate) {
    const output = inRecords(key, pending, 0, () => runBlock(pipeline, pending, slab));
    const first = pending.find((item) => item.samples.length > 0) ?? pending[0]!;
    const outChannels = pipeline.spec.outChannels;
    if (observer) {
      let at = 0;
      for (const item of pending) {
        const timestamp = item.block.timestamp ?? item.record.timestamp;
        const rate = pipeline.inputRate(item.block.sampleRate);
        observer.input(key, item.samples, fn.channels, timestamp, item.block.sampleRate);
        const frames = item.samples.length / fn.channels;
        if (frames > 0) observer.output(key, outputView(output, at, item.samples.length, fn.channels, outChannels), outChannels, frames, timestamp, rate);
        at += item.samples.length;
      }
    }
    return {
      output,
      channels: outChannels,
      frames: output.length / outChannels,
      timestamp: first.block.timestamp ?? first.record.timestamp,
      sampleRate: pipeline.inputRate(first.block.sampleRate),
      events: NO_EVENTS,
    };
  }
  const outs = pending.map((item, i) => {
    const timestamp = item.block.timestamp ?? item.record.timestamp;
    const out = inRecords(key, pending, i, () => pipeline.run(item.samples, { timestamp, sampleRate: item.block.sampleRate }), 1);
    if (observer) {
      observer.input(key, item.samples, fn.channels, timestamp, item.block.sampleRate);
      if (out.frames > 0) observer.output(key, out.samples, out.channels, out.frames, out.timestamp ?? timestamp, out.sampleRate);
    }
    return { out, timestamp };
  });
  const output = new Float32Array(outs.reduce((n, o) => n + o.out.samples.length, 0));
  let at = 0;
  for (const { out } of outs) {
    output.set(out.samples, at);
    at += out.samples.length;
  }
  // The output's frames are consecutive in the output stream: it starts at the first record's
  // first frame (a rate-changing stage times it, e.g. a spectrum frame at its first sample).
  const first = outs.find((o) => o.out.frames > 0) ?? outs[0]!;
  return {
    output,
    channels: pipeline.spec.outChannels,
    frames: outs.reduce((n, o) => n + o.out.frames, 0),
    timestamp: first.out.timestamp ?? first.timestamp,
    sampleRate: first.out.sampleRate,
    events: outs.flatMap((o) => timedEvents(o.out)),
  };
}

/**
 * `emit: 'batch'`: the key's new records of the batch in offset order, then one output for all of
 * them. If that output fails, none of them touches the key's state and each is dead-lettered.
 */
function runKeyForOneResult<M>(
  key: string,
  pending: readonly DecodedRecord<M>[],
  state: KeyState,
  fn: PreparedFunction<M>,
  run: PipelineRun<M>,
  observer: SignalObserver | undefined,
): void {
  const out = runForOneResult(key, pending, state, fn, run.slab, observer);
  if (out.frames === 0) {
    // Applied, with nothing to say yet (e.g. no spectrum frame completed in this batch).
    for (const item of pending) applied(key, item, state, run);
    return;
  }
  const last = pending[pending.length - 1]!;
  const context: ResultContext<M> = {
    functionName: fn.name,
    key,
    record: last.record,
    block: last.block,
    output: out.output,
    outChannels: out.channels,
    frames: out.frames,
    timestamp: out.timestamp,
    sampleRate: out.sampleRate,
    events: out.events,
    records: pending.map((item) => ({ record: item.record, block: item.block, timestamp: item.block.timestamp ?? item.record.timestamp })),
  };
  let results: { messageKey: string; json: OutputJson };
  try {
    results = evaluateOutput(context, fn.definition.output);
  } catch (error) {
    state.pipeline = state.reload();
    for (const { record } of pending) {
      const location = { topic: record.topic, partition: record.partition, offset: record.offset };
      run.rejected.push({ record, error: new OutputError(`${describeError(error)} (one result for ${pending.length} record(s) of the batch)`, { cause: error, record: location, key }) });
    }
    return;
  }
  for (const item of pending) applied(key, item, state, run);
  emitted(context, results, fn, run);
}

/**
 * Back to the state as loaded, then the batch's records of the key applied so far again (as one
 * block when they can be): their outputs stand, and nothing is copied while records succeed.
 */
function undo<M>(state: KeyState, done: readonly DecodedRecord<M>[], slab: OutputSlab): void {
  state.pipeline = state.reload();
  if (done.length === 0) return;
  // With their times otherwise: an event stage remembers the time of its last sample.
  if (state.pipeline.sameRate) runBlock(state.pipeline, done, slab);
  else for (const { samples, record, block } of done) state.pipeline.run(samples, { timestamp: block.timestamp ?? record.timestamp, sampleRate: block.sampleRate });
  for (const { record } of done) state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
}

/**
 * Runs records `from`.. (`count` of them, default all) through the key's pipeline. A stage that
 * fails fails the batch (the key's state is half-updated, so nothing may be committed), naming the
 * first record of the block and the key, which the kernel cannot know.
 */
function inRecords<M, T>(key: string, items: readonly DecodedRecord<M>[], from: number, run: () => T, count = items.length - from): T {
  try {
    return run();
  } catch (error) {
    throw inRecord(error, items[from]!.record, key, count);
  }
}

function inRecord(error: unknown, record: KafkaRecord, key: string, count: number): DspfnError {
  const location = { topic: record.topic, partition: record.partition, offset: record.offset };
  const block = count > 1 ? ` and ${count - 1} later record(s) of the key in one block` : '';
  const where = `${record.topic}-${record.partition}@${record.offset}${block}, key ${key.length > 64 ? `${key.slice(0, 64)}…` : key}`;
  if (error instanceof DspfnError) {
    if (error.record === undefined) Object.assign(error, { record: location, key });
    error.message = `${error.message} (${where})`;
    return error;
  }
  return new NativeKernelError(`a pipeline stage failed: ${describeError(error)} (${where})`, { cause: error, record: location, key });
}

const NO_EVENTS: readonly ResultEvent[] = [];

/** The output's events: timed, since the handler always gives a block a time (its record's at least). */
function timedEvents(out: PipelineOutput): readonly ResultEvent[] {
  return out.events as readonly ResultEvent[];
}
