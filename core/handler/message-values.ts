import { JsonWriter } from '../codecs/json-writer.ts';
import { OutputError, type RecordLocation } from '../errors.ts';
import { ResultArena } from './result-arena.ts';

/**
 * One message value's JSON: text, or its UTF-8 bytes (a view of the result arena, for values with
 * Float32Arrays). Either way the same bytes on the wire.
 */
export type JsonValue = string | Buffer;

/**
 * The output contract of `output.value`: `undefined` sends no message, an array sends one message
 * per element (wrap an array in another to send it as one JSON value), anything else is one JSON
 * message. A Float32Array — the value itself, or a property of the object returned — is written as
 * a JSON array with the shortest digits that read back as the same float32 (no `Array.from`). A value JSON cannot represent faithfully is an OutputError naming the record, never
 * echoing the value itself.
 */
export function messageValues(returned: unknown, record: RecordLocation, key: string): JsonValue[] {
  if (returned === undefined) return [];
  if (!Array.isArray(returned)) return [messageValue(returned, record, key)];
  const values = new Array<JsonValue>(returned.length);
  for (let i = 0; i < returned.length; i++) values[i] = jsonText(returned[i], record, key, `element ${i} of the array`);
  return values;
}

/** One message value (not `undefined`, not an array): the handler's path for the common case. */
export function messageValue(returned: unknown, record: RecordLocation, key: string): JsonValue {
  return jsonText(returned, record, key, 'a value');
}

/** Only the location: `record` may be a whole KafkaRecord, whose payload must not ride on the error. */
function locationOf(record: RecordLocation): RecordLocation {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

function where(record: RecordLocation, key: string): string {
  return `output.value for record ${record.topic}-${record.partition}@${record.offset} (key "${key}")`;
}

function kindOf(value: unknown): string | undefined {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'bigint') return 'a bigint (JSON has no 64-bit integers: convert it with Number() or String())';
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (JSON has no NaN or Infinity)`;
  if ((ArrayBuffer.isView(value) && !(value instanceof Float32Array)) || value instanceof ArrayBuffer) {
    return `a ${value.constructor.name} (JSON would write it as an object of indices: use Array.from(), or a Float32Array)`;
  }
  return undefined;
}

function jsonText(value: unknown, record: RecordLocation, key: string, what: string): JsonValue {
  const bad = kindOf(value);
  if (bad !== undefined) {
    throw new OutputError(`${where(record, key)} returned ${what === 'a value' ? '' : `${what} as `}${bad}, which cannot be a message value`, { record: locationOf(record), key });
  }
  let text: JsonValue | undefined;
  try {
    // No replacer: it would slow down every result; nested values follow JSON.stringify's rules.
    text = withFloat32Arrays(value) ?? JSON.stringify(value);
  } catch (error) {
    throw new OutputError(`${where(record, key)} returned ${what} that is not JSON-serialisable: ${(error as Error).message}`, { record: locationOf(record), key, cause: error });
  }
  if (text === undefined) throw new OutputError(`${where(record, key)} returned ${what} that JSON cannot represent`, { record: locationOf(record), key });
  return text;
}

/** `"name":` of the property names results repeat, record after record. */
const propertyNames = new Map<string, string>();

function propertyName(name: string): string {
  let text = propertyNames.get(name);
  if (text === undefined) {
    text = `${JSON.stringify(name)}:`;
    if (propertyNames.size < 4_096) propertyNames.set(name, text);
  }
  return text;
}

/**
 * One arena for the process: each result is written after the last and handed out as a view of
 * its bytes (no string of its own for the heap to carry until the batch is acknowledged). The
 * arena only moves forward, so a view a sink keeps is never overwritten; its chunks are used again
 * only after the sink of every batch written into them released them (ResultArena).
 */
export const resultArena = new ResultArena(256 * 1024);
const writer = new JsonWriter(resultArena.chunkBytes, resultArena.allocate);

/** The value written since `writer.begin()`, handed out (its chunk claimed by the batch being written). */
function handOut(): Buffer {
  const value = writer.view();
  resultArena.handedOut();
  return value;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * What goes before the property at each position of the last objects written — `{"name":` at 0,
 * `,"name":` after — as UTF-8 bytes, so that a property costs one copy of bytes before its value
 * (JsonWriter.encoded: measured ~3 % less CPU per result than writing the text's characters).
 * Results repeat their shape record after record, so a name is mostly the one at its position
 * last time (compared by identity: property names are internalised strings) and no Map is asked.
 */
const namesAt: string[] = [];
const textsAt: Uint8Array[] = [];
/** The same texts past position 63 (objects that wide), by text. */
const textBytes = new Map<string, Uint8Array>();

function propertyTextAt(position: number, name: string): Uint8Array {
  if (namesAt[position] === name) return textsAt[position]!;
  const text = (position === 0 ? '{' : ',') + propertyName(name);
  let bytes = textBytes.get(text);
  if (bytes === undefined) {
    bytes = Buffer.from(text, 'utf8');
    if (textBytes.size < 4_096) textBytes.set(text, bytes);
  }
  if (position < 64) {
    namesAt[position] = name;
    textsAt[position] = bytes;
  }
  return bytes;
}

/**
 * The JSON text of a Float32Array, or of a plain object with Float32Array properties (each written
 * with the shortest float32 digits, the other properties as JSON.stringify writes them), as its
 * UTF-8 bytes; undefined
 * for anything else, which JSON.stringify writes as before.
 */
function withFloat32Arrays(value: unknown): Buffer | undefined {
  if (value instanceof Float32Array) {
    writer.begin().float32Array(value);
    return handOut();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlainObject(value)) return undefined;
  // One pass while every property is a Float32Array, a string or a finite number (a result's usual
  // shape): written as read, and dropped (begin() starts over) if no Float32Array came.
  writer.begin();
  let found = false;
  let written = 0;
  for (const name in value) {
    const item: unknown = (value as Record<string, unknown>)[name];
    const samples = item instanceof Float32Array;
    if (samples) found = true;
    if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
    if (samples) writer.encoded(propertyTextAt(written++, name)).float32Array(item);
    else if (typeof item === 'string') writer.encoded(propertyTextAt(written++, name)).string(item);
    else if (typeof item === 'number' && Number.isFinite(item)) writer.encoded(propertyTextAt(written++, name)).number(item);
    else {
      // Anything else is written by JSON.stringify: as part of the object when no Float32Array
      // is in it, so whether one is has to be known first.
      return withOtherValues(value);
    }
  }
  if (!found) return undefined;
  writer.raw(written === 0 ? '{}' : '}');
  return handOut();
}

/** withFloat32Arrays for objects with other values than Float32Arrays, strings and finite numbers. */
function withOtherValues(value: object): Buffer | undefined {
  let found = false;
  for (const name in value) {
    if ((value as Record<string, unknown>)[name] instanceof Float32Array) {
      found = true;
      break;
    }
  }
  if (!found) return undefined;
  writer.begin().raw('{');
  let first = true;
  // Own enumerable properties in JSON.stringify's order (a plain object's for…in order).
  for (const name in value) {
    if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
    const item: unknown = (value as Record<string, unknown>)[name];
    // Ids, offsets and partitions as JSON.stringify writes them, without a string of their own;
    // anything else through it (undefined for what it leaves out of an object).
    const direct = item instanceof Float32Array || typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item));
    const text = direct ? undefined : JSON.stringify(item);
    if (!direct && text === undefined) continue;
    if (!first) writer.raw(',');
    first = false;
    writer.raw(propertyName(name));
    if (item instanceof Float32Array) writer.float32Array(item);
    else if (typeof item === 'string') writer.string(item);
    else if (typeof item === 'number' && direct) writer.number(item);
    else writer.raw(text!);
  }
  writer.raw('}');
  return handOut();
}
