import { LateRecordError, OutputError, describeError } from '../../errors.ts';
import type { KafkaRecord } from '../../events/types.ts';
import type { OutputMessage } from '../../sink/sink.ts';
import type { ClosedWindow } from '../../windows/engine.ts';
import type { ResultContext, SampleBlock, WindowResult } from '../definition.ts';
import { evaluateOutput } from '../evaluate-output.ts';
import type { JsonValue } from '../message-values.ts';
import { resultMessage } from '../messages/result.ts';
import { setAsideMessage } from '../messages/set-aside.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord, RejectedRecord } from '../steps/decode.ts';

/** Headers that identify a window result, so consumers can deduplicate a redelivered one. */
export const WindowHeader = { start: 'dspfn-window-start', end: 'dspfn-window-end' } as const;

/** What `ctx.window` holds: the aggregates under their names when there is one channel. */
export function windowResult(window: ClosedWindow): WindowResult {
  const single = window.channels.length === 1 ? window.channels[0] : {};
  return { ...single, key: window.key, start: window.start, end: window.end, count: window.count, channels: window.channels };
}

/**
 * The record an idle tick's results name: none closed them, so a stand-in at the partition's last
 * applied offset, with no key, value or headers, stamped with the tick's wall-clock time.
 */
export function tickRecord(topic: string, partition: number, offset: number, now: number): KafkaRecord {
  return { topic, partition, offset, timestamp: now, timestampType: 'LOG_APPEND_TIME', key: null, value: Buffer.alloc(0), tombstone: false, headers: [] };
}

/**
 * The messages of closed windows: `output.value` with `ctx.window`, and the window's start and end
 * in headers. A window whose output fails is dead-lettered under the record that closed it (the
 * window stays closed: its records were applied).
 */
export function windowMessages<M>(
  closed: ReadonlyArray<{ window: ClosedWindow; by: DecodedRecord<M> | undefined; record: KafkaRecord }>,
  fn: PreparedFunction<M>,
): { results: OutputMessage[]; rejected: RejectedRecord[] } {
  const results: OutputMessage[] = [];
  const rejected: RejectedRecord[] = [];
  const { output } = fn.definition;
  const { spec } = fn.windows!.engine;
  for (const { window, by, record } of closed) {
    const values = new Float32Array(window.channels.flatMap((channel) => spec.aggregates.map((a) => channel[a] ?? Number.NaN)));
    const block: SampleBlock<M> = by?.block ?? { key: window.key, samples: [] };
    const context: ResultContext<M> = {
      functionName: fn.name,
      key: window.key,
      record,
      block,
      output: values,
      outChannels: values.length,
      frames: 1,
      timestamp: window.start,
      sampleRate: undefined,
      events: [],
      window: windowResult(window),
    };
    let evaluated: ReturnType<typeof evaluateOutput>;
    try {
      evaluated = evaluateOutput(context, output);
    } catch (error) {
      const reason = error instanceof OutputError ? error.message : `output failed: ${describeError(error)}`;
      const location = { topic: record.topic, partition: record.partition, offset: record.offset };
      rejected.push({ record, error: new OutputError(`${reason} (window [${window.start}, ${window.end}) of key "${window.key}")`, { cause: error, record: location, key: window.key }) });
      continue;
    }
    const ids = { [WindowHeader.start]: String(window.start), [WindowHeader.end]: String(window.end) };
    const add = (json: JsonValue, index?: number) => {
      const message = resultMessage(output.topic, evaluated.messageKey, json, record, fn.name, fn.propagate, index);
      results.push({ ...message, headers: { ...message.headers, ...ids } });
    };
    const { json } = evaluated;
    if (typeof json === 'string' || Buffer.isBuffer(json)) add(json);
    else if (json !== null) json.forEach((text, n) => add(text, n));
  }
  return { results, rejected };
}

/** A late record for the late topic: its original key, value and headers, and why it is late. */
export function lateMessage<M>(late: { item: DecodedRecord<M>; key: string; reason: string }, fn: PreparedFunction<M>): OutputMessage {
  const { record } = late.item;
  const error = new LateRecordError(late.reason, { record: { topic: record.topic, partition: record.partition, offset: record.offset }, key: late.key });
  return setAsideMessage('dead-letter', fn.windows!.lateTopic(record.topic), record, error, fn.name);
}

const LATENESS: ReadonlyArray<[number, string]> = [
  [1_000, '1 s'],
  [10_000, '10 s'],
  [60_000, '1 min'],
  [600_000, '10 min'],
  [3_600_000, '1 h'],
];

/** Why a record was late, as counted in the run summary: how far behind the watermark its last frame was. */
export function lateReason(behind: number): string {
  const bound = LATENESS.find(([ms]) => behind <= ms);
  return bound ? `up to ${bound[1]} behind the watermark` : 'over 1 h behind the watermark';
}

/** Late records counted by reason. */
export function lateByReason(late: ReadonlyArray<{ behind: number }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { behind } of late) {
    const reason = lateReason(behind);
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
  return counts;
}
