import { MAX_FLOAT32_TEXT, writeFloat32, writeFloat32Of } from './float32-format.ts';
import { nativeJsonText } from './native-json.ts';

const COMMA = 0x2c;

/**
 * JSON text built in one reused byte buffer: Float32Arrays anywhere in a value are written with
 * the shortest float32 digits (writeFloat32) and without `Array.from`; everything else as
 * JSON.stringify writes it. One writer per batch (or per process): `reset()`, write, then take
 * the bytes with `bytes()` (a view, valid until the next write) or `take()` (a copy).
 */
export class JsonWriter {
  private buffer: Buffer;
  private length = 0;
  /** Where the value being written began: 0, except for a writer used as an arena (`begin`/`view`). */
  private start = 0;
  private readonly initialBytes: number;
  /** The native writer's resume index (see NativeJsonText.formatF32). */
  private readonly nativeState = new Float64Array(1);

  /**
   * `allocate` gives the writer its buffers (default: fresh ones): an arena's owner may hand back
   * memory whose views nobody reads any more (see ResultArena).
   */
  constructor(initialBytes = 64 * 1024, private readonly allocate: (bytes: number) => Buffer = Buffer.allocUnsafeSlow) {
    this.initialBytes = Math.max(64, initialBytes);
    this.buffer = allocate(this.initialBytes);
  }

  /** Starts over; the buffer is kept. Never on a writer that has handed out views with `view()`. */
  reset(): this {
    this.length = 0;
    this.start = 0;
    return this;
  }

  /**
   * Arena use: starts a value after those handed out by `view()` (a half-written one, left by a
   * throw, is dropped). Such a writer only moves forward and is never reset: bytes handed out are
   * never written again, and a buffer that fills up is left to its views for a fresh one.
   */
  begin(): this {
    this.length = this.start;
    return this;
  }

  /** Arena use: the value written since `begin()`, as a view that stays valid for good. */
  view(): Buffer {
    const value = this.buffer.subarray(this.start, this.length);
    this.start = this.length;
    return value;
  }

  get byteLength(): number {
    return this.length;
  }

  /** The text so far, as a view of the writer's buffer: valid until the next write or reset. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** The text so far, copied out. */
  take(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  /** The bytes written since `start` (from `byteLength` before a write), copied out. */
  takeFrom(start: number): Buffer {
    return Buffer.from(this.buffer.subarray(start, this.length));
  }

  /** Appends text as it is (it must be JSON where JSON is expected). */
  raw(text: string): this {
    const count = text.length;
    this.reserve(count * 3);
    // Short ASCII text (names, ids, punctuation) byte by byte: cheaper than a call into
    // Buffer#write, which takes anything longer or not ASCII.
    if (count <= 32) {
      const out = this.buffer;
      const at = this.length;
      let i = 0;
      for (; i < count; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        out[at + i] = code;
      }
      if (i === count) {
        this.length = at + count;
        return this;
      }
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
    return this;
  }

  /**
   * Appends bytes as they are: short JSON text encoded (UTF-8) once and written many times, such
   * as a property's `,"name":` (a byte loop, cheaper than raw()'s character loop).
   */
  encoded(text: Uint8Array): this {
    const count = text.length;
    this.reserve(count);
    const out = this.buffer;
    const at = this.length;
    for (let i = 0; i < count; i++) out[at + i] = text[i]!;
    this.length = at + count;
    return this;
  }

  /**
   * A finite number as JSON.stringify writes it: safe integers digit by digit (no string made for
   * them), anything else through String().
   */
  number(value: number): this {
    if (!Number.isSafeInteger(value)) return this.raw(String(value));
    this.reserve(17);
    const out = this.buffer;
    let at = this.length;
    let n = value;
    // -0 is written "0", as JSON.stringify does.
    if (n < 0) {
      out[at++] = 0x2d;
      n = -n;
    }
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    at += digits;
    for (let i = at - 1; i >= at - digits; i--) {
      const next = Math.floor(n / 10);
      out[i] = 0x30 + (n - next * 10);
      n = next;
    }
    this.length = at;
    return this;
  }

  /**
   * A string as JSON.stringify writes it: printable ASCII without `"` or `\` copied byte by byte
   * between quotes, anything else (escapes, other characters) through JSON.stringify.
   */
  string(text: string): this {
    const count = text.length;
    this.reserve(count + 2);
    const out = this.buffer;
    const at = this.length;
    out[at] = 0x22;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code >= 0x7f || code === 0x22 || code === 0x5c) return this.raw(JSON.stringify(text));
      out[at + 1 + i] = code;
    }
    out[at + 1 + count] = 0x22;
    this.length = at + count + 2;
    return this;
  }

  /** One number with the shortest float32 digits (NaN and ±Infinity as null). */
  float32(value: number): this {
    this.reserve(MAX_FLOAT32_TEXT);
    this.length = writeFloat32(this.buffer, this.length, value);
    return this;
  }

  /** `[a,b,…]` with the shortest float32 digits of each sample. */
  float32Array(samples: Float32Array | readonly number[]): this {
    const count = samples.length;
    this.reserve(2 + count * (MAX_FLOAT32_TEXT + 1));
    const out = this.buffer;
    let at = this.length;
    out[at++] = 0x5b;
    const native = samples instanceof Float32Array ? nativeJsonText() : undefined;
    if (native !== undefined) {
      // The native writer stops at the rare value it leaves to writeFloat32Of, then goes on.
      let end = native.formatF32(samples as Float32Array, out, at, 0, this.nativeState);
      while (end < 0) {
        at = -1 - end;
        const i: number = this.nativeState[0]!;
        if (i > 0) out[at++] = COMMA;
        at = writeFloat32Of(out, at, samples as Float32Array, i);
        end = native.formatF32(samples as Float32Array, out, at, i + 1, this.nativeState);
      }
      at = end;
    } else {
      for (let i = 0; i < count; i++) {
        if (i > 0) out[at++] = COMMA;
        at = samples instanceof Float32Array ? writeFloat32Of(out, at, samples, i) : writeFloat32(out, at, samples[i]!);
      }
    }
    out[at++] = 0x5d;
    this.length = at;
    return this;
  }

  /**
   * Any JSON value, as JSON.stringify(value) would write it except that Float32Arrays (at any depth
   * of plain objects and arrays) become number arrays with the shortest float32 digits. Other
   * objects (class instances, Dates, objects with toJSON) are left to JSON.stringify.
   */
  value(value: unknown): this {
    if (value instanceof Float32Array) return this.float32Array(value);
    if (Array.isArray(value)) {
      this.byte(0x5b);
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.byte(COMMA);
        const item: unknown = value[i];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') this.raw('null');
        else this.value(item);
      }
      return this.byte(0x5d);
    }
    if (value !== null && typeof value === 'object' && isPlain(value)) {
      this.byte(0x7b);
      let first = true;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const item: unknown = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        if (!first) this.byte(COMMA);
        first = false;
        this.raw(JSON.stringify(key)).byte(0x3a).value(item);
      }
      return this.byte(0x7d);
    }
    const text = JSON.stringify(value);
    // JSON.stringify gives undefined for undefined, functions and symbols at the top level.
    return this.raw(text === undefined ? 'null' : text);
  }

  private byte(code: number): this {
    this.reserve(1);
    this.buffer[this.length++] = code;
    return this;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    // Only the value being written moves: an arena's values handed out stay where they are.
    const kept = this.length - this.start;
    const next = this.allocate(Math.max(this.start > 0 ? this.initialBytes : this.buffer.length * 2, 2 * (kept + bytes)));
    this.buffer.copy(next, 0, this.start, this.length);
    this.buffer = next;
    this.length = kept;
    this.start = 0;
  }
}

function isPlain(value: object): boolean {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `JSON.stringify(Array.from(samples))` with the shortest float32 digits (convenience). */
export function stringifyFloat32Array(samples: Float32Array): string {
  return Buffer.from(new JsonWriter(samples.length * 12 + 2).float32Array(samples).bytes()).toString('latin1');
}
