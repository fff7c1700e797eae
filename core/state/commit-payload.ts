import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { StateStoreError } from '../errors.ts';
import { RedisKeyNames } from './key-names.ts';
import { PayloadWriter } from './payload-writer.ts';
import { checkOffset, COMMITTED_TRAILER, encodeFence, encodeNewFence, isTextSnapshot, storedPrefix, VALUE_HEADER, type StateLayout } from './redis-layout.ts';
import type { StateEntry } from './store.ts';

/**
 * A commit's arguments: the keys (KEYS of the commit script) and every entry's expected value start
 * and new value packed into one argument (ARGV[2]), so a commit of 10,000 keys marshals 10,000 keys
 * and one argument instead of 30,000 strings, on the client and in Redis alike, and the client
 * writes it into one buffer without an allocation per key. Per entry, in key order:
 *
 *   6 decimal digits   byte length E of the expected value start: header, fence, blank line
 *                      (what load read; 0 for a key that was missing)
 *   9 decimal digits   byte length V of the value to write (layout v2, see redis-layout.ts)
 *   E bytes, V bytes
 *
 * Fixed-width lengths let the script read them with one string.byte call. The payload is text
 * (UTF-8; ASCII but for topic names), so the same one goes over TCP as bytes and to Upstash's REST
 * API as a JSON string.
 */
export interface CommitCall {
  readonly keys: string[];
  readonly payload: Buffer;
  /** Some key is listed more than once (ARGV[3] '1'): the script then applies entries one by one. */
  readonly repeated: boolean;
}

const EXPECTED_DIGITS = 6;
const VALUE_DIGITS = 9;
const LENGTHS = EXPECTED_DIGITS + VALUE_DIGITS;
const MAX_EXPECTED = 10 ** EXPECTED_DIGITS - 1;
const MAX_VALUE = 10 ** VALUE_DIGITS - 1;
const HEADER = Buffer.from(VALUE_HEADER);

/** What a store keeps from one commit to the next. */
export interface CommitScratch {
  /** The store's Redis key strings (under layout.prefix). */
  readonly names?: RedisKeyNames;
  /**
   * Written from its start; the payloads are views of its buffer, so it must not be handed to the
   * next commit before this one's calls were answered.
   */
  readonly writer?: PayloadWriter;
}

/**
 * The script calls of a commit: one, or with `maxBytes` (a REST endpoint's request size limit),
 * consecutive calls of at most that many bytes of JSON each (an entry larger than that goes alone).
 * The fence semantics are per key, so parts are as safe as one call, if sent in order.
 */
export function commitCalls(
  layout: StateLayout,
  entries: readonly StateEntry[],
  maxBytes = Infinity,
  now: number = Date.now(),
  { names = new RedisKeyNames(layout.prefix, 0), writer }: CommitScratch = {},
): CommitCall[] {
  const trailer = Buffer.from(`${COMMITTED_TRAILER}${Math.trunc(now)}`);
  const out = writer ?? new PayloadWriter(entries.length * 192);
  out.at = 0;
  out.reserve(entries.length * 192);
  const keys: string[] = new Array<string>(entries.length);
  const repeated = names.commitKeys(entries.length, (i) => entries[i]!.key, keys);
  const starts: number[] = new Array<number>(entries.length + 1);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const start = out.at;
    starts[i] = start;
    out.reserve(LENGTHS);
    out.at += LENGTHS;
    if (entry.expected !== null) writeExpected(out, entry.expected, entry.key);
    const value = out.at;
    out.bytes(HEADER);
    writeFence(out, entry.offsets, entry.key);
    out.byte(10);
    if (isTextSnapshot(entry.snapshot)) out.bytes(entry.snapshot);
    else out.base64(entry.snapshot);
    out.bytes(trailer);
    const expectedBytes = value - start - LENGTHS;
    const valueBytes = out.at - value;
    if (expectedBytes > MAX_EXPECTED || valueBytes > MAX_VALUE) {
      throw new StateStoreError(`state of key ${entry.key} is too large for one value (${valueBytes} bytes, fence ${expectedBytes})`, { key: entry.key });
    }
    out.putDecimal(start, expectedBytes, EXPECTED_DIGITS);
    out.putDecimal(start + EXPECTED_DIGITS, valueBytes, VALUE_DIGITS);
  }
  starts[entries.length] = out.at;
  const payload = out.buffer.subarray(0, out.at);
  if (!Number.isFinite(maxBytes)) return [{ keys, payload, repeated }];
  return split(entries, keys, payload, starts, maxBytes, repeated);
}

/** Whether a key is listed twice among entries[from, to) (their own keys: already hashed by the caller's maps). */
function repeats(entries: readonly StateEntry[], from: number, to: number, some: boolean): boolean {
  if (!some || to - from < 2) return false;
  const seen = new Set<string>();
  for (let i = from; i < to; i++) seen.add(entries[i]!.key);
  return seen.size !== to - from;
}

/** The start of the value the entry was loaded from: as stored, or as encodeFence writes it. */
function writeExpected(out: PayloadWriter, expected: readonly AbsorbedOffset[], key: string): void {
  const stored = storedPrefix(expected);
  if (stored !== undefined) {
    out.text(stored);
    return;
  }
  out.bytes(HEADER);
  if (expected.length === 1) writeLine(out, expected[0]!, key);
  else out.text(encodeFence(expected, key));
  out.byte(10);
}

/** The fence a commit writes (encodeNewFence), one partition written in place. */
function writeFence(out: PayloadWriter, offsets: readonly AbsorbedOffset[], key: string): void {
  if (offsets.length === 1) writeLine(out, offsets[0]!, key);
  else out.text(encodeNewFence(offsets, key));
}

/** One fence line, `topic\tpartition\toffset\n`. */
function writeLine(out: PayloadWriter, o: AbsorbedOffset, key: string): void {
  checkOffset(o, key);
  out.text(o.topic);
  out.byte(9);
  out.decimal(o.partition);
  out.byte(9);
  out.decimal(o.offset);
  out.byte(10);
}

/** `repeated`: whether a key is listed twice among all the entries (else no part needs asking). */
function split(entries: readonly StateEntry[], keys: string[], payload: Buffer, starts: readonly number[], maxBytes: number, repeated: boolean): CommitCall[] {
  const calls: CommitCall[] = [];
  let first = 0;
  let bytes = 0;
  for (let i = 0; i < keys.length; i++) {
    const size = jsonBytes(payload, starts[i]!, starts[i + 1]!) + Buffer.byteLength(keys[i]!) + 3;
    if (i > first && bytes + size > maxBytes) {
      const part = keys.slice(first, i);
      calls.push({ keys: part, payload: payload.subarray(starts[first]!, starts[i]!), repeated: repeats(entries, first, i, repeated) });
      first = i;
      bytes = 0;
    }
    bytes += size;
  }
  const last = keys.slice(first);
  calls.push({ keys: last, payload: payload.subarray(starts[first]!, starts[keys.length]!), repeated: repeats(entries, first, keys.length, repeated) });
  return calls;
}

/** Bytes of `bytes[start, end)` inside a JSON string: escapes for control characters, quote and backslash. */
function jsonBytes(bytes: Buffer, start: number, end: number): number {
  let size = end - start;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 9 || c === 10 || c === 13 || c === 34 || c === 92 || c === 8 || c === 12) size += 1;
    else if (c < 0x20) size += 5;
  }
  return size;
}
