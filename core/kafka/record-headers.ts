/**
 * Record headers as record-batch.ts writes them: names' bytes made once, the last value of each
 * name remembered with its whole encoding, and ResultHeaders' shared runs; and the varints of the
 * record format.
 */
import type { ResultHeaders } from './result-headers.ts';

/** Header names repeat in every message: their bytes are made once (bounded: names may come from records). */
const names = new Map<string, Buffer>();
export function headerNameBytes(name: string): Buffer {
  let bytes = names.get(name);
  if (bytes === undefined) {
    bytes = Buffer.from(name);
    if (names.size < 1024) names.set(name, bytes);
  }
  return bytes;
}

/** A header name as a record carries it: its zigzag length, then its bytes (made once, bounded as the names are). */
const prefixes = new Map<string, Buffer>();
export function headerNamePrefix(name: string): Buffer {
  let prefix = prefixes.get(name);
  if (prefix === undefined) {
    const bytes = headerNameBytes(name);
    prefix = Buffer.allocUnsafe(uvarintSize(zigzag(bytes.length)) + bytes.length);
    bytes.copy(prefix, writeUvarint(prefix, zigzag(bytes.length), 0));
    if (prefixes.size < 1024) prefixes.set(name, prefix);
  }
  return prefix;
}

/**
 * Header values repeat from record to record (content type, source topic and partition, function):
 * each name remembers its last text value, and once the same value comes twice in a row, the
 * header's whole encoding (name and value with their lengths), which later records copy as it is.
 * A value that changes every record (the source offset) is written directly and never cached.
 */
interface HeaderEntry {
  readonly name: string;
  /** The name as written: zigzag length and bytes. */
  readonly prefix: Buffer;
  value: string | undefined;
  bytes: Buffer | undefined;
}
const headerEntries = new Map<string, HeaderEntry>();
/**
 * The entry of each header position in the last record: a batch's records list the same names in
 * the same order, so a name is mostly found by comparing it with the last one at its place.
 */
const entryAtPosition: Array<HeaderEntry | undefined> = [];

/** The entry of header `name` at position `k` of its record; undefined once the table is full. */
export function headerEntry(k: number, name: string): HeaderEntry | undefined {
  const last = entryAtPosition[k];
  if (last !== undefined && last.name === name) return last;
  let entry = headerEntries.get(name);
  if (entry === undefined) {
    if (headerEntries.size >= 1024) return undefined;
    entry = { name, prefix: headerNamePrefix(name), value: undefined, bytes: undefined };
    headerEntries.set(name, entry);
  }
  entryAtPosition[k] = entry;
  return entry;
}

export function encodeHeader(prefix: Buffer, value: string): Buffer {
  const length = Buffer.byteLength(value);
  const bytes = Buffer.allocUnsafe(prefix.length + uvarintSize(zigzag(length)) + length);
  bytes.set(prefix, 0);
  let at = writeUvarint(bytes, zigzag(length), prefix.length);
  bytes.write(value, at, length, 'utf8');
  return bytes;
}

/** The header's whole encoding when its value repeats the entry's last one, else undefined (and the value remembered). */
export function cachedHeader(entry: HeaderEntry | undefined, value: string | Buffer): Buffer | undefined {
  if (entry === undefined || typeof value !== 'string') return undefined;
  if (entry.value === value) return (entry.bytes ??= encodeHeader(entry.prefix, value));
  entry.value = value;
  entry.bytes = undefined;
  return undefined;
}

/** In the sizes pass's list, where a header count goes: the record's headers are ResultHeaders. */
export const RESULT_HEADERS = -1;

/**
 * The bytes of ResultHeaders that a batch's records share, made once per value: the header count,
 * the content type, source topic and partition headers and the source offset's name (`resultRun`),
 * and the function's header (`functionHeader`). Only the offset's value is written per record.
 * Records of several source partitions may alternate (a sink's requests join sends, a partition's
 * results come from all source partitions): each partition's run is kept (bounded, as the names are).
 */
interface Run {
  readonly contentType: string;
  readonly topic: string;
  readonly bytes: Buffer;
}
const runs = new Map<string, Run>();
let lastPartition: string | undefined;
let lastRun: Run | undefined;
export function resultRun(headers: ResultHeaders): Buffer {
  const contentType = headers['content-type'];
  const topic = headers['dspfn-source-topic'];
  const partition = headers['dspfn-source-partition'];
  let run = partition === lastPartition ? lastRun : runs.get(partition);
  if (run === undefined || run.contentType !== contentType || run.topic !== topic) {
    const bytes = Buffer.concat([
      Buffer.of(zigzag(5)),
      encodeHeader(headerNamePrefix('content-type'), contentType),
      encodeHeader(headerNamePrefix('dspfn-source-topic'), topic),
      encodeHeader(headerNamePrefix('dspfn-source-partition'), partition),
      headerNamePrefix('dspfn-source-offset'),
    ]);
    run = { contentType, topic, bytes };
    if (runs.size >= 1024) runs.clear();
    runs.set(partition, run);
  }
  lastPartition = partition;
  lastRun = run;
  return run.bytes;
}
const functions = new Map<string, Buffer>();
let lastFunction = '';
let lastFunctionBytes: Buffer | undefined;
export function functionHeader(name: string): Buffer {
  if (name === lastFunction && lastFunctionBytes !== undefined) return lastFunctionBytes;
  let bytes = functions.get(name);
  if (bytes === undefined) {
    bytes = encodeHeader(headerNamePrefix('dspfn-function'), name);
    if (functions.size >= 1024) functions.clear();
    functions.set(name, bytes);
  }
  lastFunction = name;
  lastFunctionBytes = bytes;
  return bytes;
}

/**
 * What a ResultHeaders record ends with, after its value, as one piece: the shared run, the
 * offset's length, `length` bytes of room for the offset's value, and the function's header. The
 * writer copies it once and writes the offset into its room (one copy a record instead of two).
 * Made once per run, function and offset length; kept beside the run it was made from.
 */
interface Tail {
  readonly fn: Buffer;
  readonly bytes: Buffer;
}
const tails = new WeakMap<Buffer, Array<Tail | undefined>>();
let lastTailRun: Buffer | undefined;
let lastTailFn: Buffer | undefined;
let lastTailLength = -1;
let lastTail: Buffer | undefined;
export function resultTail(run: Buffer, fn: Buffer, length: number): Buffer {
  if (run === lastTailRun && fn === lastTailFn && length === lastTailLength) return lastTail!;
  let byLength = tails.get(run);
  if (byLength === undefined) tails.set(run, (byLength = []));
  let tail = byLength[length];
  if (tail === undefined || tail.fn !== fn) {
    const bytes = Buffer.alloc(run.length + 1 + length + fn.length);
    bytes.set(run, 0);
    bytes[run.length] = zigzag(length);
    bytes.set(fn, run.length + 1 + length);
    byLength[length] = tail = { fn, bytes };
  }
  lastTailRun = run;
  lastTailFn = fn;
  lastTailLength = length;
  return (lastTail = tail.bytes);
}

/** Bytes of an unsigned varint of a non-negative number below 2^35. */
export function uvarintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Zigzag, in arithmetic rather than 32-bit operators so timestamps deltas beyond 2^31 stay exact. */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function writeUvarint(buf: Buffer, value: number, at: number): number {
  // The common sizes (header and key lengths, a record's body) in integer arithmetic.
  if (value < 0x80) {
    buf[at] = value;
    return at + 1;
  }
  if (value < 0x4000) {
    buf[at] = (value & 0x7f) | 0x80;
    buf[at + 1] = value >>> 7;
    return at + 2;
  }
  while (value >= 0x80) {
    buf[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[at++] = value;
  return at;
}
