import { describeError, type DspfnError } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import { Header, type OutputMessage } from '../sink/sink.ts';

export function sourceHeaders(record: KafkaRecord, functionName: string, propagate: readonly string[]): Record<string, string | Buffer> {
  const headers: Record<string, string | Buffer> = {
    [Header.sourceTopic]: record.topic,
    [Header.sourcePartition]: String(record.partition),
    [Header.sourceOffset]: String(record.offset),
    [Header.function]: functionName,
  };
  for (const header of record.headers) {
    if (propagate.includes(header.name.toLowerCase())) headers[header.name] = header.value;
  }
  return headers;
}

/**
 * A JSON result. `index` numbers the messages of a record whose `output.value` returned an array,
 * so consumers can deduplicate them (with the source headers) after a redelivery.
 */
export function resultMessage(
  topic: string,
  key: string,
  json: string,
  record: KafkaRecord,
  functionName: string,
  propagate: readonly string[],
  index?: number,
): OutputMessage {
  const headers: Record<string, string | Buffer> = { [Header.contentType]: 'application/json', ...sourceHeaders(record, functionName, propagate) };
  if (index !== undefined) headers[Header.resultIndex] = String(index);
  return { kind: 'result', topic, key, value: json, headers };
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The output samples as little-endian float32 bytes; a view, not a copy, on little-endian hosts. */
export function f32leResultMessage(
  topic: string,
  key: string,
  output: Float32Array,
  meta: { channels: number; timestamp: number; sampleRate: number | undefined },
  record: KafkaRecord,
  functionName: string,
  propagate: readonly string[],
): OutputMessage {
  let value: Buffer;
  if (littleEndianHost) value = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  else {
    value = Buffer.alloc(output.length * 4);
    for (let i = 0; i < output.length; i++) value.writeFloatLE(output[i]!, i * 4);
  }
  const headers: Record<string, string | Buffer> = {
    [Header.contentType]: 'application/x-f32le',
    [Header.channels]: String(meta.channels),
    [Header.timestamp]: String(meta.timestamp),
    ...sourceHeaders(record, functionName, propagate),
  };
  if (meta.sampleRate !== undefined) headers[Header.sampleRate] = String(meta.sampleRate);
  return { kind: 'result', topic, key, value, headers };
}

/**
 * The original key, value and headers untouched, plus where the record came from and why it was
 * rejected, so it can be inspected and replayed.
 */
export function deadLetterMessage(topic: string, record: KafkaRecord, error: DspfnError | Error, functionName: string): OutputMessage {
  const headers: Record<string, string | Buffer> = {};
  for (const header of record.headers) headers[header.name] = header.value;
  Object.assign(headers, sourceHeaders(record, functionName, []), {
    [Header.errorCode]: 'code' in error && typeof error.code === 'string' ? error.code : 'DSPFN_ERROR',
    [Header.errorReason]: describeError(error),
  });
  return { kind: 'dead-letter', topic, key: record.key, value: record.value, headers };
}
