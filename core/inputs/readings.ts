import * as z from 'zod';
import type { Payload } from '../codecs/payload.ts';
import { ConfigError, DecodeError } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { SampleBlock } from '../handler/definition.ts';
import { zodReason } from '../validation.ts';
import { eventTime } from './event-time.ts';

/** A decoded record value: a JSON object, a Protobuf message or an Avro record. */
export type ReadingValue = Record<string, unknown>;

export type ReadingsEmit = 'record' | 'batch';

export interface ReadingsOptions<V extends object = ReadingValue> {
  /** A field holding the key (a string or number), or `(value, record) => key`. Default: the record key as UTF-8. */
  key?: string | ((value: V, record: KafkaRecord) => string);
  /** The field holding the reading (one channel), or several fields, one channel each. Default `value`. */
  value?: string | readonly string[];
  /** A field with ISO-8601 text or epoch milliseconds (or a protobuf Timestamp). Default: the record timestamp. */
  timestamp?: string;
  /** Nominal samples per second, passed on to outputs. */
  sampleRate?: number;
  /** One result per record (default), or one per key per batch. */
  emit?: ReadingsEmit;
}

/**
 * An `input` that makes each record one frame: the value fields, one channel each, at the
 * record's event time. Its properties tell the handler how to run it.
 */
export interface ReadingsInput<V extends object = ReadingValue> {
  (payload: Payload, record: KafkaRecord): SampleBlock<V>;
  readonly kind: 'readings';
  /** The value fields, in channel order. */
  readonly fields: readonly string[];
  readonly channels: number;
  readonly emit: ReadingsEmit;
}

const fieldName = z.string().min(1);
const optionsSchema = z.strictObject({
  key: z.union([fieldName, z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a field name or a function')]).optional(),
  value: z.union([fieldName, z.array(fieldName).min(1).max(64)]).optional(),
  timestamp: fieldName.optional(),
  sampleRate: z.number().positive().finite().optional(),
  emit: z.enum(['record', 'batch']).optional(),
});

/** A getter for `name`: the field itself, or a dotted path into nested objects (`metadata.batteryLevel`). */
function field(name: string): (value: object) => unknown {
  const path = name.split('.');
  if (path.length === 1) return (value) => (value as ReadingValue)[name];
  return (value) => {
    if (name in value) return (value as ReadingValue)[name];
    let at: unknown = value;
    for (const part of path) {
      if (typeof at !== 'object' || at === null) return undefined;
      at = (at as Record<string, unknown>)[part];
    }
    return at;
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'text' : `a ${typeof value}`;
}

function objectValue(payload: Payload): ReadingValue {
  if (payload.codec === 'json' || payload.codec === 'protobuf' || payload.codec === 'avro') {
    const { value } = payload;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as ReadingValue;
    throw new DecodeError(`readings need an object value, got ${describe(value)}`);
  }
  throw new DecodeError(`readings need a JSON, protobuf or Avro value, got ${payload.codec}`);
}

/**
 * Readings as signals: `readings({ key: 'deviceId', value: 'value', timestamp: 'timestamp' })`
 * turns `{"deviceId": "d-1", "value": 25.5, "timestamp": "2025-06-13T10:00:00Z"}` into a one-sample
 * frame for key `d-1` at that time; `value: ['speed', 'throttle', 'brake']` makes three channels.
 * The decoded value is the block's `meta`, so outputs can use its other fields.
 */
// Not generic: an inline generic `readings({ … })` would take its value type from the definition
// being inferred around it, and `ctx.block.meta` would become an empty object type.
export function readings(options: ReadingsOptions = {}): ReadingsInput {
  type V = ReadingValue;
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError(`invalid readings options: ${zodReason(parsed.error)}`);
  const fields = typeof options.value === 'string' ? [options.value] : [...(options.value ?? ['value'])];
  if (new Set(fields).size !== fields.length) throw new ConfigError(`readings value fields repeat: ${fields.join(', ')}`);
  const getters = fields.map(field);
  const { key, timestamp, sampleRate } = options;
  const keyOf =
    typeof key === 'function'
      ? key
      : typeof key === 'string'
        ? ((get) => (value: V) => {
            const found = get(value);
            if (typeof found === 'string' && found.length > 0) return found;
            if (typeof found === 'number' && Number.isFinite(found)) return String(found);
            throw new DecodeError(found === undefined ? `record has no key field "${key}"` : `key field "${key}" is ${describe(found)}, not a non-empty string or a number`);
          })(field(key))
        : (_value: V, record: KafkaRecord) => {
            if (record.key === null || record.key.length === 0) throw new DecodeError('record has no key (readings key by the record key unless given `key`)');
            return record.key.toString('utf8');
          };
  const timeOf = timestamp === undefined ? undefined : ((get) => (value: V) => eventTime(get(value), timestamp))(field(timestamp));

  const input = function reading(payload: Payload, record: KafkaRecord): SampleBlock<V> {
    const value = objectValue(payload) as V;
    const samples = new Array<number>(fields.length);
    for (let c = 0; c < fields.length; c++) {
      const sample = getters[c]!(value);
      if (typeof sample !== 'number' || !Number.isFinite(sample)) {
        throw new DecodeError(sample === undefined ? `record has no value field "${fields[c]}"` : `value field "${fields[c]}" is ${describe(sample)}, not a finite number`);
      }
      samples[c] = sample;
    }
    const recordKey = keyOf(value, record);
    if (typeof recordKey !== 'string' || recordKey.length === 0) throw new DecodeError('the readings key function returned no key');
    return {
      key: recordKey,
      samples,
      timestamp: timeOf ? timeOf(value) : record.timestamp,
      ...(sampleRate === undefined ? {} : { sampleRate }),
      meta: value,
    };
  };
  return Object.assign(input, { kind: 'readings' as const, fields, channels: fields.length, emit: options.emit ?? 'record' });
}

export function isReadingsInput(input: unknown): input is ReadingsInput {
  return typeof input === 'function' && (input as Partial<ReadingsInput>).kind === 'readings';
}
