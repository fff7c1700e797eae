import type { KafkaRecord } from '../../events/types.ts';
import { ResultHeaders } from '../../kafka/result-headers.ts';
import { Header, type OutputMessage } from '../../sink/sink.ts';
import { offsetText } from './offset-text.ts';
import { addPropagated } from './source-headers.ts';

/**
 * A JSON result: `json` (the text of one value `output.value` returned, or its UTF-8 bytes) as the message value,
 * `content-type: application/json`. `index` numbers the messages of a record whose `output.value`
 * returned an array, so consumers can deduplicate them (with the source headers) after a redelivery.
 */
export function resultMessage(
  topic: string,
  key: string,
  json: string | Buffer,
  record: KafkaRecord,
  functionName: string,
  propagate: readonly string[],
  index?: number,
): OutputMessage {
  // The common case, nothing added to the five: headers whose layout the Kafka encoder knows.
  if (index === undefined && (record.headers.length === 0 || propagate.length === 0)) {
    const headers = new ResultHeaders('application/json', record.topic, partitionText(record.partition), offsetText(record.offset), functionName);
    return { kind: 'result', topic, key, value: json, headers, serializedJson: true };
  }
  const headers: Record<string, string | Buffer> = {
    'content-type': 'application/json',
    'dspfn-source-topic': record.topic,
    'dspfn-source-partition': partitionText(record.partition),
    'dspfn-source-offset': offsetText(record.offset),
    'dspfn-function': functionName,
  };
  if (record.headers.length > 0) addPropagated(headers, record, propagate);
  if (index !== undefined) headers[Header.resultIndex] = String(index);
  // dspfn wrote this JSON itself, so the NDJSON writer may splice it into a line as it is.
  return { kind: 'result', topic, key, value: json, headers, serializedJson: true };
}

/**
 * A number's text, kept for the last number asked: a batch's records come from one partition (or
 * a few, in turn) and mostly share their time, so the header text is made once per run of them.
 */
function lastText(): (value: number) => string {
  let last = Number.NaN;
  let text = '';
  return (value) => {
    if (value !== last) {
      last = value;
      text = String(value);
    }
    return text;
  };
}

const partitionText = lastText();
const timestampText = lastText();

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
  return f32leMessage(topic, key, f32leBytes(output, 0, output.length), meta.channels, meta.timestamp, meta.sampleRate, record, functionName, propagate);
}

/** Values [from, from + length) of `output` as little-endian float32 bytes: a view on little-endian hosts. */
export function f32leBytes(output: Float32Array, from: number, length: number): Buffer {
  if (littleEndianHost) return Buffer.from(output.buffer, output.byteOffset + from * 4, length * 4);
  const value = Buffer.alloc(length * 4);
  for (let i = 0; i < length; i++) value.writeFloatLE(output[from + i]!, i * 4);
  return value;
}

/** An f32le result whose value is already its bytes (f32leBytes). */
export function f32leMessage(
  topic: string,
  key: string,
  value: Buffer,
  channels: number,
  timestamp: number,
  sampleRate: number | undefined,
  record: KafkaRecord,
  functionName: string,
  propagate: readonly string[],
): OutputMessage {
  // One literal in Header's names and sourceHeaders' order (V8 builds it from a template; spreading
  // the source headers into it cost a second object per message).
  const headers: Record<string, string | Buffer> = {
    'content-type': 'application/x-f32le',
    'dspfn-channels': String(channels),
    'dspfn-timestamp': timestampText(timestamp),
    'dspfn-source-topic': record.topic,
    'dspfn-source-partition': partitionText(record.partition),
    'dspfn-source-offset': offsetText(record.offset),
    'dspfn-function': functionName,
  };
  if (record.headers.length > 0) addPropagated(headers, record, propagate);
  if (sampleRate !== undefined) headers[Header.sampleRate] = String(sampleRate);
  return { kind: 'result', topic, key, value, headers };
}
