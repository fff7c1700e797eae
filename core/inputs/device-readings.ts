import * as z from 'zod';
import { FlatEnvelopeReader } from '../codecs/flat-envelope.ts';
import { SampleArrayReader } from '../codecs/json-samples.ts';
import { PickedFields, readSampleEnvelopePicking } from '../codecs/sample-envelope.ts';
import { SampleChunks } from '../codecs/sample-chunks.ts';
import type { Payload } from '../codecs/payload.ts';
import { DecodeError } from '../errors.ts';
import { keyText, type KafkaRecord } from '../events/types.ts';
import type { SampleBlock } from '../handler/definition.ts';
import { READ_JSON_BYTES, type JsonBytesReader } from '../handler/json-bytes-input.ts';
import { KEEPS_NO_RECORD_MEMORY } from '../handler/record-memory.ts';
import { zodReason } from '../validation.ts';

export interface DeviceReadingsOptions {
  /** JSON field holding the key. Default `deviceId`. */
  keyField?: string;
  /** JSON field holding the interleaved samples. Default `data`. */
  dataField?: string;
}

/**
 * The common sensor shape: JSON `{"deviceId": string, "sampleRate": number, "data": number[]}`, or
 * raw f32le samples whose record key is the device id. Returns a function `input`.
 */
export function deviceReadings(options: DeviceReadingsOptions = {}): (payload: Payload, record: KafkaRecord) => SampleBlock {
  const keyField = options.keyField ?? 'deviceId';
  const dataField = options.dataField ?? 'data';
  const schema = z.object({
    [keyField]: z.string().min(1),
    sampleRate: z.number().positive().optional(),
    timestamp: z.number().optional(),
    [dataField]: z.array(z.number()),
  });
  const deviceReading = function deviceReading(payload: Payload, record: KafkaRecord): SampleBlock {
    if (payload.codec === 'f32le') {
      if (record.key === null) throw new DecodeError(`f32le records need the ${keyField} as record key`);
      const key = keyText(record);
      if (key === undefined) throw new DecodeError(`the record key of an f32le record (its ${keyField}) is not UTF-8 text`);
      return { key, samples: payload.samples };
    }
    if (payload.codec !== 'json') throw new DecodeError(`expected JSON or f32le, got ${payload.codec}`);
    const parsed = schema.safeParse(payload.value);
    if (!parsed.success) {
      throw new DecodeError(`invalid reading: ${zodReason(parsed.error)}`);
    }
    const value = parsed.data as Record<string, unknown>;
    return {
      key: value[keyField] as string,
      samples: value[dataField] as number[],
      ...(typeof value.sampleRate === 'number' ? { sampleRate: value.sampleRate } : {}),
      ...(typeof value.timestamp === 'number' ? { timestamp: value.timestamp } : {}),
    };
  };
  // Its blocks are the payload's samples (f32le: a view the pipeline reads during the batch) or copies.
  Object.defineProperty(deviceReading, KEEPS_NO_RECORD_MEMORY, { value: true });
  // Fields that overlap would make the schema above mean something else: no fast path then.
  if (dataField !== keyField && dataField !== 'sampleRate' && dataField !== 'timestamp') {
    Object.defineProperty(deviceReading, READ_JSON_BYTES, { value: envelopeReader(keyField, dataField) });
  }
  return deviceReading;
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The JSON path from the record's bytes: the sample array straight into float32 (readSampleEnvelopePicking),
 * the small rest through JSON.parse. It takes only what the schema above accepts and answers
 * undefined for anything else, so the schema words every error as before.
 */
function envelopeReader(keyField: string, dataField: string): JsonBytesReader<unknown> {
  const reader = new SampleArrayReader(1024);
  const chunks = new SampleChunks();
  // The three fields the schema reads, kept from record to record instead of an object each.
  const pick = new PickedFields([keyField, 'sampleRate', 'timestamp']);
  // The common envelope in one native call, its samples straight into the chunk; anything else as before.
  const flat = new FlatEnvelopeReader(dataField, pick);
  const one = (bytes: Buffer): SampleBlock | undefined => {
    let count = flat.read(bytes, chunks);
    const inChunk = count >= 0;
    if (!inChunk) {
      try {
        count = readSampleEnvelopePicking(reader, bytes, dataField, pick);
      } catch {
        return undefined;
      }
    }
    if (!picked(pick.values)) return undefined;
    return blockOf(pick.values, inChunk ? chunks.take(count) : chunks.copy(reader.samples, count));
  };
  // A partition's records whose values lie in one buffer by one native call (flat.readMany), in order.
  // Both kept with their capacity from call to call: emptying an array by `length = 0` gives its
  // backing store up, and refilling it by push grew a batch's worth anew (~50 bytes a record).
  const values: Buffer[] = [];
  const at: number[] = [];
  const many = (records: readonly KafkaRecord[], reads: (record: KafkaRecord) => boolean): Array<SampleBlock | undefined> => {
    const blocks = new Array<SampleBlock | undefined>(records.length).fill(undefined);
    let n = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.tombstone || !reads(record)) continue;
      values[n] = record.value;
      at[n] = i;
      n++;
    }
    // readMany reads up to values.length.
    if (values.length !== n) {
      values.length = n;
      at.length = n;
    }
    for (let from = 0; from < values.length; ) {
      const end = flat.readMany(values, from, chunks);
      if (end < 0) break;
      for (let k = from; k < end; k++) {
        const j = k - from;
        if (flat.countAt(j) < 0) continue;
        const bytes = values[k]!;
        flat.pickAt(j, bytes);
        if (picked(pick.values)) blocks[at[k]!] = blockOf(pick.values, flat.viewOf(j, chunks));
      }
      from = end;
    }
    // The values (views of the event's memory) are not held until the next call.
    values.fill(NO_VALUE);
    return blocks;
  };
  return Object.assign(one, { many });
}

/** What `values` holds between calls instead of the last batch's values. */
const NO_VALUE = Buffer.alloc(0);

/** Whether the picked key, sampleRate and timestamp are what the schema accepts (else the schema words the error). */
function picked(values: readonly unknown[]): boolean {
  const key = values[0];
  const sampleRate = values[1];
  const timestamp = values[2];
  if (typeof key !== 'string' || key.length === 0) return false;
  if (sampleRate !== undefined && !(isFiniteNumber(sampleRate) && sampleRate > 0)) return false;
  return timestamp === undefined || isFiniteNumber(timestamp);
}

function blockOf(values: readonly unknown[], samples: Float32Array): SampleBlock {
  const key = values[0] as string;
  const sampleRate = values[1] as number | undefined;
  const timestamp = values[2] as number | undefined;
  // One literal per shape (same properties, same order as adding them): no property added later,
  // which would move the object to a map transition and a separate property store per record.
  if (timestamp === undefined) return sampleRate === undefined ? { key, samples } : { key, samples, sampleRate };
  return sampleRate === undefined ? { key, samples, timestamp } : { key, samples, sampleRate, timestamp };
}
