import { PayloadWriter } from './payload-writer.ts';

/**
 * RESP2, the Redis wire protocol, for the state store's own connection (resp-connection.ts):
 * commands written straight into one reused buffer (a key is copied byte by byte, with no string
 * or Buffer made for it), and replies scanned in place, so a load of 10,000 values makes no object
 * per value (see BulkStrings). Only what RESP2 servers send: + - : $ *.
 */
export type RespArg = string | Buffer;

/** An error reply, with Redis's text as the message (e.g. "NOSCRIPT No matching script…"). */
export class RespError extends Error {
  override readonly name = 'RespError';
}

/** The reply stream broke the protocol: the connection cannot be trusted any more. */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
/** Buffer arguments larger than this go to the socket as they are, not copied. */
const COPY_LIMIT = 16 * 1024;

/**
 * Encodes commands as RESP arrays of bulk strings into one buffer. `chunks()` hands back what to
 * write: views of the buffer, and large Buffer arguments (a commit's payload) in between them.
 */
export class RespWriter {
  private readonly out: PayloadWriter;
  private readonly large: Array<{ at: number; bytes: Buffer }> = [];

  constructor(capacity = 64 * 1024) {
    this.out = new PayloadWriter(capacity);
  }

  /** Starts over (the chunks of the last command must have been written). */
  reset(): void {
    this.out.at = 0;
    this.large.length = 0;
  }

  /** Bytes encoded so far. */
  get length(): number {
    return this.out.at;
  }

  /** Appends a copy of what was encoded at [from, to) (text arguments only). */
  repeat(from: number, to: number): void {
    this.out.reserve(to - from);
    this.out.buffer.copy(this.out.buffer, this.out.at, from, to);
    this.out.at += to - from;
  }

  /** `*<count>\r\n`: a command of `count` arguments follows. */
  arrayHeader(count: number): void {
    this.out.byte(STAR);
    this.out.decimal(count);
    this.crlf();
  }

  /** One argument. */
  arg(value: RespArg): void {
    if (typeof value === 'string') this.text(value);
    else this.bytes(value);
  }

  /** A whole command. */
  command(args: readonly RespArg[]): void {
    this.arrayHeader(args.length);
    for (const arg of args) this.arg(arg);
  }

  /**
   * A text argument as UTF-8. ASCII (state keys, numbers) is copied in one pass behind a length
   * written for it; anything else is measured and written by Buffer.
   */
  text(value: string): void {
    const out = this.out;
    const length = value.length;
    const start = out.at;
    out.byte(DOLLAR);
    out.decimal(length);
    this.crlf();
    out.reserve(length + 2);
    const buffer = out.buffer;
    let at = out.at;
    for (let i = 0; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) {
        out.at = start;
        this.wide(value);
        return;
      }
      buffer[at++] = c;
    }
    buffer[at] = CR;
    buffer[at + 1] = LF;
    out.at = at + 2;
  }

  /** Bytes as they are. */
  bytes(value: Uint8Array): void {
    const out = this.out;
    out.byte(DOLLAR);
    out.decimal(value.length);
    this.crlf();
    if (value.length > COPY_LIMIT && Buffer.isBuffer(value)) this.large.push({ at: out.at, bytes: value });
    else out.bytes(value);
    this.crlf();
  }

  /** What to write for everything encoded since reset(), in order. */
  chunks(): Buffer[] {
    const buffer = this.out.buffer;
    const chunks: Buffer[] = [];
    let from = 0;
    for (const { at, bytes } of this.large) {
      chunks.push(buffer.subarray(from, at), bytes);
      from = at;
    }
    chunks.push(buffer.subarray(from, this.out.at));
    return chunks;
  }

  private wide(value: string): void {
    const out = this.out;
    const size = Buffer.byteLength(value);
    out.byte(DOLLAR);
    out.decimal(size);
    this.crlf();
    out.reserve(size + 2);
    out.at += out.buffer.write(value, out.at, 'utf8');
    this.crlf();
  }

  private crlf(): void {
    this.out.reserve(2);
    this.out.buffer[this.out.at++] = CR;
    this.out.buffer[this.out.at++] = LF;
  }
}

/**
 * Finds where replies end in a byte stream that arrives in pieces: `scan` resumes where the last
 * call stopped, and reads only type lines (bulk strings are skipped by their length), so a large
 * reply costs one pass over its headers however it was split.
 */
export class ReplyScanner {
  /** Values still to read per open array, innermost last; the first entry counts the replies. */
  private readonly open: number[] = [];
  /** Where the next unread value starts. */
  at = 0;

  /** Starts looking for `replies` replies from `at`. */
  begin(at: number, replies: number): void {
    this.at = at;
    this.open.length = 0;
    this.open.push(replies);
  }

  /** Whether `bytes[0, end)` holds every reply asked for; `at` is then the end of the last. */
  scan(bytes: Uint8Array, end: number): boolean {
    const open = this.open;
    for (;;) {
      while (open.length > 0 && open[open.length - 1] === 0) open.pop();
      if (open.length === 0) return true;
      const at = this.at;
      const eol = lineEnd(bytes, at + 1, end);
      if (eol === -1) return false;
      if (eol < 0) throw new RespProtocolError('a reply line without CRLF');
      const type = bytes[at];
      let next = eol + 2;
      if (type === DOLLAR) {
        const length = readInteger(bytes, at + 1, eol);
        if (length >= 0) {
          next += length + 2;
          if (next > end) return false;
        }
      } else if (type === STAR) {
        const count = readInteger(bytes, at + 1, eol);
        open[open.length - 1]!--;
        this.at = next;
        if (count > 0) open.push(count);
        continue;
      } else if (type !== PLUS && type !== MINUS && type !== COLON) {
        throw new RespProtocolError(`unexpected reply type byte ${String(type)}`);
      }
      open[open.length - 1]!--;
      this.at = next;
    }
  }
}

/** The index of the CR of the first CRLF in `bytes[from, end)`; -1 when there is none yet, -2 for a CR alone. */
function lineEnd(bytes: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 1 < end; i++) if (bytes[i] === CR) return bytes[i + 1] === LF ? i : -2;
  return -1;
}

/** A signed decimal integer in `bytes[start, end)`; throws on anything else. */
function readInteger(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === MINUS;
  let i = negative ? start + 1 : start;
  if (i >= end || end - i > 16) throw new RespProtocolError('malformed integer in a reply');
  let n = 0;
  for (; i < end; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) throw new RespProtocolError('malformed integer in a reply');
    n = n * 10 + digit;
  }
  return negative ? -n : n;
}

/**
 * The bulk strings of an array reply as offsets into one buffer: `start[i]` and `end[i]` of value
 * i, or start -1 for a nil.
 */
export interface BulkStrings {
  readonly bytes: Buffer;
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** Reads complete replies (checked by ReplyScanner) from a buffer. */
export class ReplyReader {
  constructor(
    private readonly bytes: Buffer,
    public at: number,
    private readonly end: number,
  ) {}

  /**
   * One reply as node-redis gives RESP2 replies: bulk and status strings as text (or Buffers with
   * `binary`), integers as numbers, nil as null, arrays as arrays; an error reply is a RespError,
   * returned (thrown by the caller when it is the whole reply).
   */
  value(binary = false): unknown {
    const bytes = this.bytes;
    const type = bytes[this.at]!;
    const eol = lineEnd(bytes, this.at + 1, this.end);
    if (eol < 0) throw new RespProtocolError('incomplete reply');
    const line = this.at + 1;
    this.at = eol + 2;
    switch (type) {
      case PLUS:
        return bytes.toString('utf8', line, eol);
      case MINUS:
        return new RespError(bytes.toString('utf8', line, eol));
      case COLON:
        return readInteger(bytes, line, eol);
      case DOLLAR: {
        const length = readInteger(bytes, line, eol);
        if (length < 0) return null;
        const start = this.at;
        this.at = start + length + 2;
        return binary ? Buffer.from(bytes.subarray(start, start + length)) : bytes.toString('utf8', start, start + length);
      }
      case STAR: {
        const count = readInteger(bytes, line, eol);
        if (count < 0) return null;
        const out = new Array<unknown>(count);
        for (let i = 0; i < count; i++) out[i] = this.value(binary);
        return out;
      }
      default:
        throw new RespProtocolError(`unexpected reply type byte ${String(type)}`);
    }
  }

  /**
   * An array of bulk strings (an MGET reply) as offsets into `bytes`, or the error reply. The
   * offsets point into the connection's receive buffer, which is reused: read them before the
   * next reply arrives.
   */
  bulkStrings(): BulkStrings | RespError {
    const bytes = this.bytes;
    if (bytes[this.at] !== STAR) {
      const other = this.value();
      if (other instanceof RespError) return other;
      throw new RespProtocolError('expected an array reply');
    }
    const eol = lineEnd(bytes, this.at + 1, this.end);
    const count = readInteger(bytes, this.at + 1, eol);
    const start = new Int32Array(Math.max(0, count));
    const end = new Int32Array(Math.max(0, count));
    let at = eol + 2;
    for (let i = 0; i < count; i++) {
      if (bytes[at] !== DOLLAR) throw new RespProtocolError('expected a bulk string in an array reply');
      const stop = lineEnd(bytes, at + 1, this.end);
      const length = readInteger(bytes, at + 1, stop);
      if (length < 0) {
        start[i] = -1;
        end[i] = -1;
        at = stop + 2;
      } else {
        start[i] = stop + 2;
        end[i] = stop + 2 + length;
        at = stop + 4 + length;
      }
    }
    this.at = at;
    return { bytes, start, end };
  }
}
