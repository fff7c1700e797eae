// A subclass of InvalidSamplesError (same code, same handling), so not a row of its own in ERRORS.
import { JsonSamplesError } from '../errors/classes.ts';
import { nativeJsonText } from './native-json.ts';
import { CLOSE_ARRAY, CLOSE_OBJECT, COMMA, DOT, describe, isSpace, latin1, LOWER_E, MINUS, NINE, OPEN_ARRAY, PLUS, UPPER_E, ZERO } from './json-bytes.ts';

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

/** 10^0 … 10^22: exactly representable doubles, so one multiply or divide rounds correctly (Clinger). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Significant digits kept; more cannot change a float32 (the approximate path below brackets the error). */
const MAX_DIGITS = 19;
/** Relative error bound of the approximate path, with margin: ~6 roundings of 2^-53 each. */
const BRACKET = 2 ** -48;


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
    const native = nativeJsonText();
    if (native !== undefined) {
      // A record whose array comes last ends `]}`: that ']' bounds the native scan without a search
      // for the first one, as the native reader reads to the first ']' and refuses any other.
      const last = lastArrayEnd(bytes, i, end);
      if (last >= 0) {
        const read = native.parseF32(bytes, i, last, this.samples);
        if (read >= 0) {
          this.end = last + 1;
          return read;
        }
      }
    }
    // The first ']' bounds the array (a valid number array holds no other): every scan below stops
    // at it, so the per-byte loops need no end-of-input checks.
    const close = bytes.indexOf(CLOSE_ARRAY, i);
    if (close < 0 || close >= end) {
      throw new JsonSamplesError(`the array opened at byte ${i - 1} is not closed before the end of the input (byte ${end})`, end, -1);
    }
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


/**
 * The ']' of `…]}` (white space allowed around the '}') at the end of bytes[from, end): where an
 * object's last field is the array; -1 otherwise.
 */
function lastArrayEnd(bytes: Uint8Array, from: number, end: number): number {
  let at = end - 1;
  while (at >= from && isSpace(bytes[at]!)) at--;
  if (at < from || bytes[at] !== CLOSE_OBJECT) return -1;
  at--;
  while (at >= from && isSpace(bytes[at]!)) at--;
  return at >= from && bytes[at] === CLOSE_ARRAY ? at : -1;
}

/** One record's samples as a new Float32Array (convenience; the handler path uses a reader). */
export function parseSamples(bytes: Uint8Array): Float32Array {
  const reader = new SampleArrayReader(64);
  return reader.samples.slice(0, reader.readWhole(bytes));
}
