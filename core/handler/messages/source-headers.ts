import type { KafkaHeader, KafkaRecord } from '../../events/types.ts';
import { Header } from '../../sink/sink.ts';
import { offsetText } from './offset-text.ts';

/**
 * Where a message came from (`dspfn-source-topic/partition/offset`, `dspfn-function`), plus the
 * record's headers named in `propagate` (lower-case), copied as they are: trace ids follow results.
 */
export function sourceHeaders(record: KafkaRecord, functionName: string, propagate: readonly string[]): Record<string, string | Buffer> {
  return addSourceHeaders({}, record, functionName, propagate);
}

/** sourceHeaders added to `headers` (one object per message rather than two). */
export function addSourceHeaders(
  headers: Record<string, string | Buffer>,
  record: KafkaRecord,
  functionName: string,
  propagate: readonly string[],
): Record<string, string | Buffer> {
  headers[Header.sourceTopic] = record.topic;
  headers[Header.sourcePartition] = String(record.partition);
  headers[Header.sourceOffset] = offsetText(record.offset);
  headers[Header.function] = functionName;
  return addPropagated(headers, record, propagate);
}

/** The record's headers named in `propagate` (lower-case) added to `headers`, as they are. */
export function addPropagated(headers: Record<string, string | Buffer>, record: KafkaRecord, propagate: readonly string[]): Record<string, string | Buffer> {
  if (propagate.length === 0) return headers;
  const matched = propagatedOf(record.headers, propagate);
  for (let i = 0; i < matched.length; i++) headers[matched[i]!.name] = matched[i]!.value;
  return headers;
}

const NONE: readonly KafkaHeader[] = [];
let lastHeaders: readonly KafkaHeader[] | undefined;
let lastPropagate: readonly string[] | undefined;
let lastMatched = NONE;

/**
 * The headers of a list that `propagate` names. Records that share one decoded header list
 * (SharedHeaders) ask for the same list one after another: the last answer is kept.
 */
function propagatedOf(list: readonly KafkaHeader[], propagate: readonly string[]): readonly KafkaHeader[] {
  if (list === lastHeaders && propagate === lastPropagate) return lastMatched;
  let matched = NONE;
  for (const header of list) {
    if (propagate.includes(header.name.toLowerCase())) matched = matched === NONE ? [header] : [...matched, header];
  }
  lastHeaders = list;
  lastPropagate = propagate;
  lastMatched = matched;
  return matched;
}
