// A subclass of InvalidSamplesError (same code, same handling), so not a row of its own in ERRORS.
import { JsonSamplesError } from '../errors/classes.ts';
import { nativeJsonText } from './native-json.ts';

export { JsonSamplesError };

/**
 * JSON number arrays read straight from a record's bytes into float32, without building a string
 * or a JavaScript array: `[1.5, -2e-3, 0]` → Float32Array. Every sample is the value
 * `Math.fround(JSON.parse(text))` gives (exactly, including the double rounding), and a sample
 * that is not a finite float32 (`1e39`, `NaN`, `Infinity`) is an error in the same pass.
 *
 * Errors are JsonSamplesErrors (code DSPFN_INVALID_SAMPLES: dead letters) that say where and why
 * (`byteOffset`, `sampleIndex`) and never quote the payload, so they can be dead-letter reasons as
 * they are.
 */

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const COMMA = 0x2c, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, ZERO = 0x30, NINE = 0x39;
const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a;
const LOWER_E = 0x65, UPPER_E = 0x45;

/** 10^0 … 10^22: exactly representable doubles, so one multiply or divide rounds correctly (Clinger). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Significant digits kept; more cannot change a float32 (the approximate path below brackets the error). */
const MAX_DIGITS = 19;
/** Relative error bound of the approximate path, with margin: ~6 roundings of 2^-53 each. */
const BRACKET = 2 ** -48;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

/** What a byte starts, for messages: never the payload itself. */
function describe(bytes: Uint8Array, at: number, end: number): string {
  if (at >= end) return 'the end of the input';
  const c = bytes[at]!;
  if (c === QUOTE) return 'a string';
  if (c === OPEN_ARRAY) return 'a nested array';
  if (c === OPEN_OBJECT) return 'an object';
  if (c === 0x6e) return 'null';
  if (c === 0x74 || c === 0x66) return 'a boolean';
  if (c === 0x4e) return 'NaN';
  if (c === 0x49) return 'Infinity';
  if (c === MINUS && bytes[at + 1] === 0x49) return '-Infinity';
  if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * Reads JSON number arrays into a scratch Float32Array that grows as needed and is reused, so a
 * batch of records allocates nothing per record: `readInto` returns the count, the samples are
 * `reader.samples[0 … count)` until the next read (copy them out, e.g. into a batch slab).
 */
export class SampleArrayReader {
  /** Scratch holding the last array read; replaced (larger) when an array does not fit. */
  samples: Float32Array;
  /** Index just past the `]` of the last array read. */
  end = 0;

  constructor(initialCapacity = 1024) {
    this.samples = new Float32Array(Math.max(16, initialCapacity));
  }

  /**
   * Parses the array that starts at `start` (whitespace before it allowed) and ends before `end`;
   * `this.end` is set past its `]`. Bytes after the array are the caller's (see readWhole).
   */
  readInto(bytes: Uint8Array, start = 0, end = bytes.length): number {
    let i = start;
    while (i < end && isSpace(bytes[i]!)) i++;
    if (i >= end || bytes[i] !== OPEN_ARRAY) {
      throw new JsonSamplesError(`expected a JSON array of numbers at byte ${i}, got ${describe(bytes, i, end)}`, i, -1);
    }
    i++;
    // The first ']' bounds the array (a valid number array holds no other): every scan below stops
    // at it, so the per-byte loops need no end-of-input checks.
    const close = bytes.indexOf(CLOSE_ARRAY, i);
    if (close < 0 || close >= end) {
      throw new JsonSamplesError(`the array opened at byte ${i - 1} is not closed before the end of the input (byte ${end})`, end, -1);
    }
    const native = nativeJsonText();
    if (native !== undefined) {
      let read = native.parseF32(bytes, i, close, this.samples);
      if (read === -2) {
        // More samples than the scratch holds. Each takes at least one byte and a separator: that
        // bounds the count, and what bad input can make us allocate.
        this.samples = new Float32Array(Math.ceil((close - i + 1) / 2));
        read = native.parseF32(bytes, i, close, this.samples);
      }
      if (read >= 0) {
        this.end = close + 1;
        return read;
      }
    }
    let count = 0;
    let out = this.samples;
    for (;;) {
      while (isSpace(bytes[i]!)) i++;
      if (count === 0 && bytes[i] === CLOSE_ARRAY) {
        i++;
        break;
      }
      if (count === out.length) out = this.grow(count, close - i);
      i = this.number(bytes, i, close + 1, count);
      out[count] = this.value;
      count++;
      while (isSpace(bytes[i]!)) i++;
      const c = bytes[i]!;
      i++;
      if (c === COMMA) continue;
      if (c === CLOSE_ARRAY) break;
      throw new JsonSamplesError(`expected ',' or ']' after sample ${count - 1} at byte ${i - 1}, got ${describe(bytes, i - 1, end)}`, i - 1, count - 1);
    }
    this.end = i;
    return count;
  }

  /** The whole input is one array (whitespace around it allowed); anything after it is an error. */
  readWhole(bytes: Uint8Array, start = 0, end = bytes.length): number {
    const count = this.readInto(bytes, start, end);
    let i = this.end;
    while (i < end && isSpace(bytes[i]!)) i++;
    if (i < end) throw new JsonSamplesError(`unexpected ${describe(bytes, i, end)} at byte ${i} after the array`, i, -1);
    return count;
  }

  /** The last number parsed by `number` (a field rather than a return value: no tuple per sample). */
  private value = 0;

  /**
   * Parses one JSON number at `i` into `this.value` (as float32) and returns the index after it.
   * bytes[end - 1] is the array's ']', which ends every scan. Digits are accumulated as a double:
   * exact up to 2^53, after which the error is bracketed.
   */
  private number(bytes: Uint8Array, start: number, end: number, index: number): number {
    let i = start;
    let negative = false;
    if (bytes[i] === MINUS) {
      negative = true;
      i++;
    }
    const intStart = i;
    let c = bytes[i]!;
    if (c < ZERO || c > NINE) throw this.notANumber(bytes, start, end, index);
    let mantissa = 0;
    let digits = 0; // significant digits accumulated into mantissa
    let exponent = 0; // decimal exponent of mantissa's last digit
    if (c === ZERO) {
      i++;
      c = bytes[i]!;
      if (c >= ZERO && c <= NINE) {
        throw new JsonSamplesError(`sample ${index} at byte ${start} has a leading zero (not JSON)`, start, index);
      }
    } else {
      while (c >= ZERO && c <= NINE) {
        if (digits < MAX_DIGITS) {
          mantissa = mantissa * 10 + (c - ZERO);
          digits++;
        } else exponent++;
        i++;
        c = bytes[i]!;
      }
    }
    if (c === DOT) {
      i++;
      c = bytes[i]!;
      if (c < ZERO || c > NINE) throw this.malformed(start, i, bytes, end, index, 'a digit after the decimal point');
      while (c >= ZERO && c <= NINE) {
        if (digits < MAX_DIGITS) {
          if (digits > 0 || c !== ZERO) {
            mantissa = mantissa * 10 + (c - ZERO);
            digits++;
          }
          exponent--;
        }
        i++;
        c = bytes[i]!;
      }
    }
    if (c === LOWER_E || c === UPPER_E) {
      i++;
      c = bytes[i]!;
      let negativeExponent = false;
      if (c === MINUS || c === PLUS) {
        negativeExponent = c === MINUS;
        i++;
        c = bytes[i]!;
      }
      if (c < ZERO || c > NINE) throw this.malformed(start, i, bytes, end, index, 'a digit in the exponent');
      let e = 0;
      while (c >= ZERO && c <= NINE) {
        // Saturates: 1e999999999999 is as out of range as 1e999, and cannot overflow the count.
        if (e < 1e6) e = e * 10 + (c - ZERO);
        i++;
        c = bytes[i]!;
      }
      exponent += negativeExponent ? -e : e;
    }
    // The common case inline (Clinger's fast path, as in toFloat32): a call taking the mantissa
    // would box it.
    if (mantissa < 9007199254740992 && exponent >= -22 && exponent <= 22 && digits + exponent <= 40) {
      const magnitude = mantissa === 0 ? 0 : Math.fround(exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!);
      if (magnitude !== Infinity) {
        this.value = negative ? -magnitude : magnitude;
        return i;
      }
    }
    this.toFloat32(bytes, start, i, negative, mantissa, digits, exponent, index, intStart);
    return i;
  }

  /** Sets `this.value` (a double field, written in place) rather than returning a double, which the JIT would box. */
  private toFloat32(
    bytes: Uint8Array,
    start: number,
    end: number,
    negative: boolean,
    mantissa: number,
    digits: number,
    exponent: number,
    index: number,
    intStart: number,
  ): void {
    let magnitude: number;
    if (mantissa === 0) magnitude = 0;
    else if (digits + exponent > 40) {
      throw new JsonSamplesError(`sample ${index} at byte ${start} is outside the float32 range (±3.4028235e38)`, start, index);
    } else if (digits + exponent < -47) {
      magnitude = 0; // below 1e-47: rounds to zero in float32, as Math.fround(JSON.parse(…)) does
    } else if (mantissa < 9007199254740992 && exponent >= -22 && exponent <= 22) {
      // Clinger's fast path: both operands exact, so this is the correctly rounded double.
      magnitude = Math.fround(exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!);
    } else {
      let approx = mantissa;
      let e = exponent;
      while (e > 22) {
        approx *= POW10[22]!;
        e -= 22;
      }
      while (e < -22) {
        approx /= POW10[22]!;
        e += 22;
      }
      approx = e < 0 ? approx / POW10[-e]! : approx * POW10[e]!;
      const low = Math.fround(approx * (1 - BRACKET));
      // The exact double lies within the bracket: when both ends round to one float32, so does it.
      if (low === Math.fround(approx * (1 + BRACKET))) magnitude = low;
      else magnitude = Math.abs(Math.fround(Number(latin1(bytes, intStart, end))));
    }
    if (magnitude === Infinity) {
      throw new JsonSamplesError(`sample ${index} at byte ${start} is outside the float32 range (±3.4028235e38)`, start, index);
    }
    this.value = negative ? -magnitude : magnitude;
  }

  private grow(count: number, remainingBytes: number): Float32Array {
    // Each further sample needs at least 2 bytes ("0,"), which bounds what bad input can make us allocate.
    const size = Math.max(count + 1, Math.min(count * 2, count + Math.ceil(remainingBytes / 2) + 1));
    const next = new Float32Array(size);
    next.set(this.samples.subarray(0, count));
    this.samples = next;
    return next;
  }

  private notANumber(bytes: Uint8Array, at: number, end: number, index: number): JsonSamplesError {
    const what = describe(bytes, at, end);
    const why = /^-?(NaN|Infinity)$/.test(what) ? 'which JSON does not allow' : 'not a number';
    return new JsonSamplesError(`sample ${index} at byte ${at} is ${what}, ${why}`, at, index);
  }

  private malformed(start: number, at: number, bytes: Uint8Array, end: number, index: number, expected: string): JsonSamplesError {
    return new JsonSamplesError(`sample ${index} at byte ${start} is a malformed number: expected ${expected} at byte ${at}, got ${describe(bytes, at, end)}`, at, index);
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

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

/** A JSON number's value: digits-only integers up to 15 digits computed, anything else through Number(). */
function numberValue(text: Buffer, from: number, to: number): number {
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

/**
 * The common envelope without JSON.parse: one flat object of ASCII strings without escapes and
 * plain numbers (`{"deviceId":"d-1","sampleRate":1000,"data":[…]}`), the sample array at
 * [cutStart, cutEnd) read as null. The object is what JSON.parse gives (the same properties in the
 * same order, duplicates overwritten in place); anything else — escapes, other bytes, nested
 * values, literals, `__proto__`, any doubt — is undefined and goes to JSON.parse.
 */
function flatFields(bytes: Uint8Array, start: number, end: number, cutStart: number, cutEnd: number): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  const text = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
    } else if (c === QUOTE) {
      const valueEnd = plainString(bytes, i + 1, end);
      if (valueEnd < 0) return undefined;
      fields[name] = text.toString('latin1', i + 1, valueEnd);
      i = valueEnd + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const numberEnd = plainNumber(bytes, i, end);
      if (numberEnd < 0) return undefined;
      fields[name] = numberValue(text, i, numberEnd);
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
    return skipSpace(bytes, i + 1, end) === end ? fields : undefined;
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

/** One record's samples as a new Float32Array (convenience; the handler path uses a reader). */
export function parseSamples(bytes: Uint8Array): Float32Array {
  const reader = new SampleArrayReader(64);
  return reader.samples.slice(0, reader.readWhole(bytes));
}
