import { DspfnError, OutputError, describeError, type RecordLocation } from '../errors.ts';
import type { OutputMessage } from '../sink/sink.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { DecodedRecord, RejectedRecord } from './decode-records.ts';
import type { FunctionDefinition, ResultContext } from './definition.ts';
import type { KeyState } from './load-state.ts';
import { messageValue, messageValues } from './message-values.ts';
import { f32leResultMessage, resultMessage } from './outputs.ts';

export interface PipelineRun {
  results: OutputMessage[];
  rejected: RejectedRecord[];
  /** Records at or below a key's fence: applied by an earlier delivery, so not applied again. */
  skipped: number;
  samples: number;
  /** Keys whose state changed and must be committed. */
  advanced: Set<string>;
}

export function runPipelines<M>(
  groups: ReadonlyMap<string, readonly DecodedRecord<M>[]>,
  states: ReadonlyMap<string, KeyState>,
  definition: FunctionDefinition<M>,
  propagate: readonly string[],
): PipelineRun {
  const run: PipelineRun = { results: [], rejected: [], skipped: 0, samples: 0, advanced: new Set() };
  for (const [key, records] of groups) {
    const state = states.get(key)!;
    // The key's records applied so far in this batch, to redo them if a later one is undone.
    const applied: DecodedRecord<M>[] = [];
    for (const item of records) {
      const { record } = item;
      if (state.pipeline.hasAbsorbed(record.topic, record.partition, record.offset)) {
        run.skipped++;
        continue;
      }
      const out = state.pipeline.process(item.samples);
      const produced = run.results.length;
      try {
        pushResults(run.results, definition, propagate, key, item, out, state.pipeline.spec.outChannels);
      } catch (error) {
        // The record goes to the dead-letter topic and must not touch the key's state.
        run.results.length = produced;
        undo(state, applied);
        const reason = error instanceof DspfnError ? error : new OutputError(`output failed: ${describeError(error)}`, { cause: error, key });
        run.rejected.push({ record, error: Object.assign(reason, { record: locationOf(record) }) });
        continue;
      }
      state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
      applied.push(item);
      run.advanced.add(key);
      run.samples += item.samples.length;
    }
  }
  return run;
}

/** Back to the state as loaded, then the batch's earlier records again (outputs already built). */
function undo<M>(state: KeyState, applied: readonly DecodedRecord<M>[]): void {
  state.pipeline = state.reload();
  for (const { record, samples } of applied) {
    state.pipeline.process(samples);
    state.pipeline.markAbsorbed(record.topic, record.partition, record.offset);
  }
}

function pushResults<M>(
  results: OutputMessage[],
  definition: FunctionDefinition<M>,
  propagate: readonly string[],
  key: string,
  item: DecodedRecord<M>,
  out: Float32Array,
  outChannels: number,
): void {
  const { output } = definition;
  const { record } = item;
  const context: ResultContext<M> = {
    functionName: definition.name,
    key,
    record,
    block: item.block,
    output: out,
    outChannels,
    timestamp: item.block.timestamp ?? record.timestamp,
    sampleRate: item.block.sampleRate,
  };
  const messageKey = output.key ? callOutput('key', output.key, context, record) : key;
  if (typeof messageKey !== 'string') {
    throw new OutputError(`output.key for record ${record.topic}-${record.partition}@${record.offset} (key "${key}") returned ${typeof messageKey}, not a string`, { record: locationOf(record), key });
  }
  if (output.format === 'f32le') {
    const meta = { channels: outChannels, timestamp: context.timestamp, sampleRate: context.sampleRate };
    results.push(f32leResultMessage(output.topic, messageKey, out, meta, record, definition.name, propagate));
    return;
  }
  const returned = callOutput('value', output.value, context, record);
  if (returned === undefined) return;
  if (!Array.isArray(returned)) {
    results.push(resultMessage(output.topic, messageKey, messageValue(returned, record, key), record, definition.name, propagate));
    return;
  }
  const values = messageValues(returned, record, key);
  for (let i = 0; i < values.length; i++) results.push(resultMessage(output.topic, messageKey, values[i]!, record, definition.name, propagate, i));
}

function locationOf(record: KafkaRecord): RecordLocation {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

function callOutput<M, T>(name: 'key' | 'value', fn: (context: ResultContext<M>) => T, context: ResultContext<M>, record: KafkaRecord): T {
  try {
    return fn(context);
  } catch (error) {
    const where = `${record.topic}-${record.partition}@${record.offset} (key "${context.key}")`;
    throw new OutputError(`output.${name} for record ${where} threw: ${describeError(error)}`, { cause: error, record: locationOf(record), key: context.key });
  }
}
