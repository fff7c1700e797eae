import { StateStoreError } from '../errors.ts';
import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import type { StoredState } from './store.ts';

/**
 * Reads layout v2 values (redis-layout.ts) from their bytes, as Redis sent them: the TCP store reads
 * them in place in the reply (no UTF-8 string or Buffer per value), and everything here is one pass
 * over the value's bytes, its snapshot decoded straight into a buffer shared by the batch.
 */
const HEADER = [0x64, 0x73, 0x70, 0x66, 0x6e, 0x3a, 0x32, 0x0a]; // "dspfn:2\n"
const TRAILER = [0x0a, 0x63, 0x6f, 0x6d, 0x6d, 0x69, 0x74, 0x74, 0x65, 0x64, 0x3a]; // "\ncommitted:"
const NEWLINE = 0x0a;
const TAB = 0x09;
const HASH = 0x23;

export function corrupt(key: string, field: string): StateStoreError {
  // Never echo the stored value: it may be large, and it is not ours to log.
  return new StateStoreError(`state key ${key} holds a malformed ${field}; delete the key to reset it`, { key });
}

/** Digits only in `bytes[start, end)`, as a safe integer; -1 otherwise. */
function parseCount(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 16) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

/** Base64 character (a byte) → its 6 bits; -1 for anything else. */
const BASE64_VALUES = (() => {
  const values = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
  return values;
})();

/** Bytes padded base64 `bytes[start, end)` decodes to; `end - start` is a multiple of 4 in valid base64. */
export function base64Length(bytes: Uint8Array, start: number, end: number): number {
  const padding = end > start && bytes[end - 1] === 0x3d ? (bytes[end - 2] === 0x3d ? 2 : 1) : 0;
  return ((end - start) / 4) * 3 - padding;
}

/**
 * Decodes padded base64 `bytes[start, end)` into `into` at `at` and returns the bytes written,
 * refusing anything that is not base64 (Buffer's decoder would skip such characters silently, and
 * take the URL-safe alphabet too), so a snapshot written by something else fails here rather than
 * as garbage bytes later.
 */
export function decodeBase64(into: Uint8Array, at: number, bytes: Uint8Array, start: number, end: number, key: string): number {
  if ((end - start) % 4 !== 0) throw corrupt(key, 'snapshot');
  const length = base64Length(bytes, start, end);
  const table = BASE64_VALUES;
  // Any byte outside base64 is -1 in the table, which sets the sign bit of `bad`.
  let bad = 0;
  let out = at;
  const full = end - (length % 3 === 0 ? 0 : 4);
  let i = start;
  for (; i < full; i += 4) {
    const v0 = table[bytes[i]!]!;
    const v1 = table[bytes[i + 1]!]!;
    const v2 = table[bytes[i + 2]!]!;
    const v3 = table[bytes[i + 3]!]!;
    bad |= v0 | v1 | v2 | v3;
    into[out] = (v0 << 2) | (v1 >> 4);
    into[out + 1] = ((v1 & 15) << 4) | (v2 >> 2);
    into[out + 2] = ((v2 & 3) << 6) | v3;
    out += 3;
  }
  if (i < end) {
    const two = length % 3 === 2;
    const v0 = table[bytes[i]!]!;
    const v1 = table[bytes[i + 1]!]!;
    const v2 = two ? table[bytes[i + 2]!]! : 0;
    bad |= v0 | v1 | v2;
    into[out++] = (v0 << 2) | (v1 >> 4);
    if (two) into[out++] = ((v1 & 15) << 4) | (v2 >> 2);
  }
  if (bad < 0) throw corrupt(key, 'snapshot');
  return out - at;
}

function utf8(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

/** The last topic decoded, and its bytes: a batch's keys name a handful of topics, so most keys reuse it. */
let lastTopic = '';
let lastTopicBytes = new Uint8Array(0);

function topicAt(bytes: Uint8Array, start: number, end: number): string {
  const known = lastTopicBytes;
  if (known.length === end - start) {
    let same = true;
    for (let i = 0; i < known.length; i++) {
      if (known[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return lastTopic;
  }
  lastTopic = utf8(bytes, start, end);
  lastTopicBytes = Uint8Array.prototype.slice.call(bytes, start, end);
  return lastTopic;
}

/**
 * The fence `bytes[start, end)` (lines `topic\tpartition\toffset\n`), and whether it is canonical:
 * what encodeFence writes for it (one line, numbers without leading zeros). Others are sent back
 * as stored (storedPrefix in redis-layout.ts).
 */
export function decodeFenceBytes(bytes: Uint8Array, start: number, end: number, key: string): { offsets: AbsorbedOffset[]; canonical: boolean } {
  const offsets = readFence(bytes, start, end, key);
  return { offsets, canonical: fenceCanonical };
}

/** Whether the fence readFence read last is canonical (a flag, not a result object per value). */
let fenceCanonical = true;

function readFence(bytes: Uint8Array, start: number, end: number, key: string): AbsorbedOffset[] {
  const offsets: AbsorbedOffset[] = [];
  fenceCanonical = true;
  if (end === start) return offsets;
  if (bytes[end - 1] !== NEWLINE) throw corrupt(key, 'fence');
  let canonical = true;
  for (let line = start; line < end; ) {
    let eol = line;
    while (bytes[eol] !== NEWLINE) eol++;
    // The last two tabs of the line end the topic and the partition.
    let second = eol - 1;
    while (second > line && bytes[second] !== TAB) second--;
    let first = second - 1;
    while (first > line && bytes[first] !== TAB) first--;
    const partition = parseCount(bytes, first + 1, second);
    const offset = parseCount(bytes, second + 1, eol);
    if (first <= line - 1 || bytes[first] !== TAB || partition < 0 || offset < 0) throw corrupt(key, 'fence');
    if ((bytes[first + 1] === 0x30 && second - first > 2) || (bytes[second + 1] === 0x30 && eol - second > 2)) canonical = false;
    offsets.push({ topic: topicAt(bytes, line, first), partition, offset });
    line = eol + 1;
  }
  fenceCanonical = canonical && offsets.length <= 1;
  return offsets;
}

/** Where decodeValueAt puts the stored start of a value whose fence is not canonical, by its offsets. */
export interface StoredPrefixes {
  set(offsets: readonly AbsorbedOffset[], prefix: string): unknown;
}

/**
 * Decodes the v2 value `value[base, stop)` (read in place from a reply, or a whole value), its
 * snapshot into `into` at `at` (room for stop - base bytes needed) as a view of `into`, so a
 * batch's snapshots share one buffer; no object is made per value but the state itself.
 */
export function decodeValueAt(key: string, value: Uint8Array, base: number, stop: number, into: Buffer, at: number, prefixes: StoredPrefixes): StoredState {
  if (stop - base < HEADER.length) throw corrupt(key, 'value');
  for (let i = 0; i < HEADER.length; i++) if (value[base + i] !== HEADER[i]) throw corrupt(key, 'value');
  const start = base + HEADER.length;
  // The fence ends at the first blank line.
  let blank = start - 1;
  if (value[start] !== NEWLINE) {
    blank = start;
    while (blank + 1 < stop && !(value[blank] === NEWLINE && value[blank + 1] === NEWLINE)) blank++;
    if (blank + 1 >= stop) throw corrupt(key, 'value');
  }
  // Base64 holds no newline, and a text snapshot (a window index) has the trailer after it: the
  // last newline after the blank line starts the trailer.
  let end = stop - 1;
  while (end > blank + 1 && value[end] !== NEWLINE) end--;
  let committedAt: number | undefined;
  if (end <= blank + 1) end = stop;
  else {
    if (end + TRAILER.length > stop) throw corrupt(key, 'value');
    for (let i = 1; i < TRAILER.length; i++) if (value[end + i] !== TRAILER[i]) throw corrupt(key, 'value');
    committedAt = parseCount(value, end + TRAILER.length, stop);
    if (committedAt < 0) throw corrupt(key, 'value');
  }
  const body = blank + 2;
  let size: number;
  if (value[body] === HASH && body < end) {
    into.set(value.subarray(body, end), at);
    size = end - body;
  } else size = decodeBase64(into, at, value, body, end, key);
  const snapshot = new Uint8Array(into.buffer, into.byteOffset + at, size);
  const offsets = readFence(value, start, blank + 1, key);
  if (!fenceCanonical) prefixes.set(offsets, utf8(value, base, blank + 2));
  return committedAt === undefined ? { snapshot, offsets } : { snapshot, offsets, committedAt };
}
