// Errors are JsonSamplesErrors: dead letters, with where and why, never quoting the payload.
import { JsonSamplesError } from '../errors/classes.ts';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, DOT, describe, isSpace, LOWER_E, MINUS, NINE, OPEN_ARRAY, OPEN_OBJECT, PLUS, QUOTE, UPPER_E, ZERO } from './json-bytes.ts';
import type { SampleArrayReader } from './json-samples.ts';

/** A record's samples and the rest of its JSON object. */
export interface SampleEnvelope {
  /** The object as JSON.parse reads it, with the sample field set to null. */
  readonly fields: Record<string, unknown>;
  /** Number of samples, in `reader.samples[0 … count)` until the reader's next read. */
  readonly count: number;
}

/**
 * Reads `{"deviceId": "a", "data": [1, 2, …], …}`: the array under `field` (top level) goes through
 * the reader, the rest (small) through JSON.parse with the array cut out, so the fields are exactly
 * what JSON.parse would give. The sample field must be present once and be an array of numbers.
 */
export function readSampleEnvelope(reader: SampleArrayReader, bytes: Uint8Array, field: string, start = 0, end = bytes.length): SampleEnvelope {
  // The common envelope in one pass; anything else (or any doubt) is read below, which words the errors.
  const flat = bytes[skipSpace(bytes, start, end)] === OPEN_OBJECT ? flatFields(bytes, start, end, -1, -1, reader, field) : undefined;
  if (flat !== undefined) return { fields: flat, count: flatCount };
  let i = skipSpace(bytes, start, end);
  if (i >= end || bytes[i] !== OPEN_OBJECT) {
    throw new JsonSamplesError(`expected a JSON object at byte ${i}, got ${describe(bytes, i, end)}`, i, -1);
  }
  i++;
  let arrayStart = -1;
  let arrayEnd = -1;
  let count = 0;
  for (;;) {
    i = skipSpace(bytes, i, end);
    if (i < end && bytes[i] === CLOSE_OBJECT) break;
    if (i >= end || bytes[i] !== QUOTE) break; // malformed: JSON.parse below says where and why
    const keyStart = i;
    i = skipString(bytes, i, end);
    const keyEnd = i;
    i = skipSpace(bytes, i, end);
    if (i >= end || bytes[i] !== COLON) break;
    i = skipSpace(bytes, i + 1, end);
    if (keyIs(bytes, keyStart, keyEnd, field)) {
      if (arrayStart >= 0) throw new JsonSamplesError(`the field "${field}" appears twice (at byte ${keyStart})`, keyStart, -1);
      if (i >= end || bytes[i] !== OPEN_ARRAY) {
        throw new JsonSamplesError(`the field "${field}" holds ${describe(bytes, i, end)} at byte ${i}, not an array of numbers`, i, -1);
      }
      arrayStart = i;
      count = reader.readInto(bytes, i, end);
      i = arrayEnd = reader.end;
    } else {
      i = skipValue(bytes, i, end);
    }
    i = skipSpace(bytes, i, end);
    if (i < end && bytes[i] === COMMA) i++;
    else break;
  }
  if (arrayStart < 0) {
    // Either the object has no such field, or it is malformed before one: JSON.parse tells which.
    parseText(bytes, start, end, -1, -1);
    throw new JsonSamplesError(`the object has no field "${field}"`, start, -1);
  }
  const fields = flatFields(bytes, start, end, arrayStart, arrayEnd) ?? parseText(bytes, start, end, arrayStart, arrayEnd);
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new JsonSamplesError('expected a JSON object', start, -1);
  }
  return { fields: fields as Record<string, unknown>, count };
}

/**
 * The few fields a reader of the common envelope wants (say the key, `sampleRate`, `timestamp`),
 * kept from one record's flat envelope without an object per record: reused record after record,
 * `undefined` where the record has no such field, the last one where it has it twice (as JSON.parse
 * gives).
 */
export class PickedFields {
  readonly values: unknown[];

  constructor(readonly names: readonly string[]) {
    this.values = names.map(() => undefined);
  }

  /** The index of `name` in `names` and `values`; -1 when not wanted. */
  slotOf(name: string): number {
    return this.names.indexOf(name);
  }

  clear(): void {
    // A loop: cheaper than a call into Array#fill for the few values of every record.
    const { values } = this;
    for (let i = 0; i < values.length; i++) values[i] = undefined;
  }
}

/** What flatFields answers when it kept the fields in a PickedFields. */
const PICKED: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * readSampleEnvelope for a reader that wants only a few top-level fields: the sample count, with
 * those fields' values in `pick` (JSON.parse's values; `undefined` where absent). The common flat
 * envelope is read without an object per record; anything else goes through readSampleEnvelope,
 * which words the errors.
 */
export function readSampleEnvelopePicking(reader: SampleArrayReader, bytes: Uint8Array, field: string, pick: PickedFields): number {
  pick.clear();
  const end = bytes.length;
  if (bytes[skipSpace(bytes, 0, end)] === OPEN_OBJECT && flatFields(bytes, 0, end, -1, -1, reader, field, pick) !== undefined) return flatCount;
  pick.clear();
  const { fields, count } = readSampleEnvelope(reader, bytes, field);
  for (let i = 0; i < pick.names.length; i++) {
    const name = pick.names[i]!;
    if (Object.prototype.hasOwnProperty.call(fields, name)) pick.values[i] = fields[name];
  }
  return count;
}

/** Field names seen before (records repeat theirs): matched by their bytes, not made again. */
const knownNames: string[] = [];

function fieldName(text: Buffer, from: number, to: number): string {
  const length = to - from;
  for (const name of knownNames) {
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && text[from + i] === name.charCodeAt(i)) i++;
    if (i === length) return name;
  }
  const name = text.toString('latin1', from, to);
  if (knownNames.length < 32) knownNames.push(name);
  return name;
}

/** String values seen lately (device ids repeat record after record), by a hash of their bytes. */
const knownValues = new Array<string | undefined>(256).fill(undefined);

/**
 * The latin1 text of bytes [from, to): the string made for the same bytes before when it is still
 * known, else a new one (which then is). A batch's records name a few keys over and over: one string
 * each, not one per record, and a Map that groups them finds its hash already computed.
 */
export function valueText(text: Buffer, from: number, to: number): string {
  const length = to - from;
  if (length > 64) return text.toString('latin1', from, to);
  let hash = length;
  for (let i = from; i < to; i++) hash = (Math.imul(hash, 31) + text[i]!) | 0;
  const slot = hash & 255;
  const known = knownValues[slot];
  if (known !== undefined && known.length === length) {
    let i = 0;
    while (i < length && text[from + i] === known.charCodeAt(i)) i++;
    if (i === length) return known;
  }
  const made = text.toString('latin1', from, to);
  knownValues[slot] = made;
  return made;
}

/** A JSON number's value: digits-only integers up to 15 digits computed, anything else through Number(). */
export function numberValue(text: Buffer, from: number, to: number): number {
  const negative = text[from] === MINUS;
  const first = negative ? from + 1 : from;
  if (to - first > 15) return Number(text.toString('latin1', from, to));
  let value = 0;
  for (let i = first; i < to; i++) {
    const digit = text[i]! - ZERO;
    if (digit < 0 || digit > 9) return Number(text.toString('latin1', from, to));
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** The sample count of the array flatFields read (a module field rather than a result object per record). */
let flatCount = -1;

/**
 * The common envelope without JSON.parse: one flat object of ASCII strings without escapes and
 * plain numbers (`{"deviceId":"d-1","sampleRate":1000,"data":[…]}`), the sample array read as
 * null: the one at [cutStart, cutEnd), or (with `reader`, cutStart -1) the one under `field`, read
 * by the reader in the same pass (its count in flatCount). The object is what JSON.parse gives (the
 * same properties in the same order, duplicates overwritten in place); anything else — escapes,
 * other bytes, nested values, literals, `__proto__`, a sample field that is not one array, any
 * doubt — is undefined and goes to JSON.parse.
 */
function flatFields(
  bytes: Uint8Array,
  start: number,
  end: number,
  cutStart: number,
  cutEnd: number,
  reader?: SampleArrayReader,
  field?: string,
  pick?: PickedFields,
): Record<string, unknown> | undefined {
  // With `pick`, only the fields it names are kept, in it (no object per record); the result is then `pick`'s marker.
  const fields: Record<string, unknown> = pick === undefined ? {} : PICKED;
  const text = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let read = false;
  let i = skipSpace(bytes, start, end) + 1;
  for (;;) {
    i = skipSpace(bytes, i, end);
    if (bytes[i] !== QUOTE) return undefined;
    const nameEnd = plainString(bytes, i + 1, end);
    if (nameEnd < 0) return undefined;
    const name = fieldName(text, i + 1, nameEnd);
    if (name === '__proto__') return undefined;
    i = skipSpace(bytes, nameEnd + 1, end);
    if (bytes[i] !== COLON) return undefined;
    i = skipSpace(bytes, i + 1, end);
    const c = bytes[i]!;
    if (i === cutStart) {
      fields[name] = null;
      i = cutEnd;
    } else if (reader !== undefined && name === field) {
      if (read || c !== OPEN_ARRAY) return undefined;
      read = true;
      flatCount = reader.readInto(bytes, i, end);
      if (pick === undefined) fields[name] = null;
      i = reader.end;
    } else if (c === QUOTE) {
      const valueEnd = plainString(bytes, i + 1, end);
      if (valueEnd < 0) return undefined;
      if (pick === undefined) fields[name] = valueText(text, i + 1, valueEnd);
      else {
        const slot = pick.slotOf(name);
        if (slot >= 0) pick.values[slot] = valueText(text, i + 1, valueEnd);
      }
      i = valueEnd + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const numberEnd = plainNumber(bytes, i, end);
      if (numberEnd < 0) return undefined;
      if (pick === undefined) fields[name] = numberValue(text, i, numberEnd);
      else {
        const slot = pick.slotOf(name);
        if (slot >= 0) pick.values[slot] = numberValue(text, i, numberEnd);
      }
      i = numberEnd;
    } else {
      return undefined;
    }
    i = skipSpace(bytes, i, end);
    if (bytes[i] === COMMA) {
      i++;
      continue;
    }
    if (bytes[i] !== CLOSE_OBJECT) return undefined;
    // Nothing but white space may follow the object.
    if (skipSpace(bytes, i + 1, end) !== end) return undefined;
    return reader === undefined || read ? fields : undefined;
  }
}

/** Index of the closing quote of a string of printable ASCII without escapes from `i`; -1 otherwise. */
function plainString(bytes: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20 || c >= 0x7f) return -1;
  }
  return -1;
}

/** Index after a JSON number (RFC 8259 grammar) from `i`; -1 when the bytes there are not one. */
function plainNumber(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === MINUS) i++;
  if (i >= end) return -1;
  if (bytes[i] === ZERO) i++;
  else if (bytes[i]! > ZERO && bytes[i]! <= NINE) while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) i++;
  else return -1;
  if (bytes[i] === DOT) {
    const digits = ++i;
    while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) i++;
    if (i === digits) return -1;
  }
  if (bytes[i] === LOWER_E || bytes[i] === UPPER_E) {
    i++;
    if (bytes[i] === PLUS || bytes[i] === MINUS) i++;
    const digits = i;
    while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) i++;
    if (i === digits) return -1;
  }
  return i;
}

/** JSON.parse of bytes[start, end) with [cutStart, cutEnd) replaced by null. */
function parseText(bytes: Uint8Array, start: number, end: number, cutStart: number, cutEnd: number): unknown {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = cutStart < 0 ? buffer.toString('utf8', start, end) : `${buffer.toString('utf8', start, cutStart)}null${buffer.toString('utf8', cutEnd, end)}`;
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's messages quote a piece of the text; keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new JsonSamplesError(`value is not valid JSON${position === undefined ? '' : ` (near character ${position} outside the sample array)`}`, start, -1);
  }
}

function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && isSpace(bytes[i]!)) i++;
  return i;
}

/** Index after the string starting at the quote at `i` (or `end` when it is not closed). */
function skipString(bytes: Uint8Array, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = bytes[i]!;
    if (c === QUOTE) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
  return end;
}

/** Index after the value at `i`: strings and nested containers skipped whole, scalars to the next delimiter. */
function skipValue(bytes: Uint8Array, i: number, end: number): number {
  let depth = 0;
  while (i < end) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      i = skipString(bytes, i, end);
      if (depth === 0) return i;
      continue;
    }
    if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && (c === COMMA || isSpace(c))) return i;
    i++;
  }
  return end;
}

/** Whether the JSON string bytes[start, end) (quotes included) is `field`, escapes decoded. */
function keyIs(bytes: Uint8Array, start: number, end: number, field: string): boolean {
  const length = end - start - 2;
  let escaped = false;
  for (let i = start + 1; i < end - 1; i++) if (bytes[i] === BACKSLASH) escaped = true;
  if (escaped) {
    try {
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8')) === field;
    } catch {
      return false;
    }
  }
  if (length !== Buffer.byteLength(field)) return false;
  for (let i = 0; i < length; i++) {
    const code = field.charCodeAt(i);
    if (code >= 0x80) return Buffer.from(bytes.buffer, bytes.byteOffset + start + 1, length).toString('utf8') === field;
    if (bytes[start + 1 + i] !== code) return false;
  }
  return true;
}
