import type { KafkaRecord } from '../../events/types.ts';
import { Header } from '../../sink/sink.ts';

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
  headers[Header.sourceOffset] = String(record.offset);
  headers[Header.function] = functionName;
  return addPropagated(headers, record, propagate);
}

/** The record's headers named in `propagate` (lower-case) added to `headers`, as they are. */
export function addPropagated(headers: Record<string, string | Buffer>, record: KafkaRecord, propagate: readonly string[]): Record<string, string | Buffer> {
  if (propagate.length === 0) return headers;
  for (const header of record.headers) {
    if (propagate.includes(header.name.toLowerCase())) headers[header.name] = header.value;
  }
  return headers;
}
