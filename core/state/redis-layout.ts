import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { ConfigError, StateStoreError } from '../errors.ts';
import type { CommitResult, CommitStatus, StateEntry, StoredState } from './store.ts';

/**
 * How dspfn keeps state in Redis, shared by the TCP (node-redis) and REST (Upstash) stores so one
 * database can be used through either. Layout v2, one string per key:
 *
 *   <prefix><state key>  string  "dspfn:2\n" <fence> "\n" <base64 of the pipeline snapshot>
 *                                [ "\ncommitted:" <epoch ms of the commit> ]
 *
 * where the fence is the offsets the snapshot has absorbed (canonical text, below; every line ends
 * in "\n", so the fence ends at the first blank line). A string makes a load one MGET, with no
 * script and no per-key work in Redis; the commit script compares the stored fence in place.
 * Base64 on both transports because the REST API only carries text: raw bytes stored over TCP would
 * make the same data unreadable through Upstash's REST endpoint.
 *
 * The trailer (dspfn 0.2 on) says when the value was written, for `dspfn state list`; values
 * without it (earlier v2 writers) read the same, with no commit time. The commit script never reads
 * past the fence, so it is unaffected. An empty snapshot is a key reset by `dspfn state reset`: its
 * next batch starts afresh behind the kept fence.
 *
 * Layout v1 (dspfn before 0.2): a hash per key with fields `snapshot` (base64) and `fence`. Still
 * read: a load finds such keys through EXISTS (sent with the MGET) and reads them with a script,
 * and the next commit of a key rewrites it as v2.
 */
export const DEFAULT_PREFIX = 'dspfn:';
/** First line of every v2 value; commit-script.ts spells the same in Lua. */
export const VALUE_HEADER = 'dspfn:2\n';
/** The expected fence of a key that did not exist at load time. Never a valid fence (see encodeFence). */
export const NEW_KEY = 'new';

export interface StateLayoutOptions {
  /** Prepended to every state key (default `dspfn:`): separates environments sharing a database. */
  prefix?: string;
  /** Delete keys not committed for this long (SET … PX on every commit). Absent or 0: keep forever. */
  ttlSeconds?: number;
}

export interface StateLayout {
  readonly prefix: string;
  /** 0 means no expiry; commits then SET without PX, so turning the TTL off also clears old expiries. */
  readonly ttlMs: number;
}

export function resolveLayout(options: StateLayoutOptions = {}): StateLayout {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const ttl = options.ttlSeconds ?? 0;
  if (!Number.isFinite(ttl) || ttl < 0) throw new ConfigError(`state ttlSeconds must be a number >= 0, got ${String(ttl)}`);
  // Round up so a sub-millisecond TTL still expires rather than meaning "forever".
  return { prefix, ttlMs: ttl === 0 ? 0 : Math.max(1, Math.ceil(ttl * 1000)) };
}

/**
 * The fence as text both TypeScript and Lua can compare and parse: one `topic\tpartition\toffset\n`
 * line per partition, sorted, so equal offset sets give equal strings and Lua only compares strings
 * for the "committed" decision. Kafka topic names cannot hold tabs or newlines.
 * Duplicate partitions keep the last one, like commitDecision's offset map.
 */
export function encodeFence(offsets: readonly AbsorbedOffset[], key: string): string {
  // One partition per key is the common case; it needs no sorting.
  if (offsets.length === 1) {
    const o = offsets[0]!;
    checkOffset(o, key);
    return `${o.topic}\t${o.partition}\t${o.offset}\n`;
  }
  const lines = new Map<string, string>();
  for (const o of offsets) {
    checkOffset(o, key);
    const id = `${o.topic}\t${o.partition}`;
    lines.set(id, `${id}\t${o.offset}\n`);
  }
  return [...lines.keys()]
    .sort()
    .map((id) => lines.get(id)!)
    .join('');
}

/**
 * The fence a commit writes. A partition listed twice is refused: the Lua coverage check reads one
 * offset per partition, and a pipeline never reports one partition twice.
 */
export function encodeNewFence(offsets: readonly AbsorbedOffset[], key: string): string {
  if (offsets.length <= 1) return encodeFence(offsets, key);
  const seen = new Set<string>();
  for (const o of offsets) {
    const id = `${o.topic}\t${o.partition}`;
    if (seen.has(id)) throw new StateStoreError(`offsets of key ${key} list ${o.topic}/${o.partition} twice`, { key });
    seen.add(id);
  }
  return encodeFence(offsets, key);
}

/** Topics already checked: a process sees a handful, and a batch asks about each one per key. */
const checkedTopics = new Set<string>();

function checkOffset(o: AbsorbedOffset, key: string): void {
  if (!checkedTopics.has(o.topic)) {
    if (/[\t\n]/.test(o.topic)) throw new StateStoreError(`topic name with a tab or newline in the offsets of key ${key}`, { key });
    if (checkedTopics.size < 1_000) checkedTopics.add(o.topic);
  }
  if (!Number.isSafeInteger(o.partition) || o.partition < 0) {
    throw new StateStoreError(`partition ${o.partition} of key ${key} is not an integer >= 0`, { key });
  }
  if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
    throw new StateStoreError(`offset ${o.offset} of key ${key} is not an integer >= 0`, { key });
  }
}

const FENCE_LINE = /^(.*)\t(\d+)\t(\d+)$/;

/** Digits only, as a safe integer; -1 otherwise. */
function parseCount(text: string, start: number, end: number): number {
  if (end <= start || end - start > 16) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

export function decodeFence(text: string, key: string): AbsorbedOffset[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw corrupt(key, 'fence');
  const last = text.length - 1;
  if (text.indexOf('\n') === last) {
    // One partition (the common case): no regex, no split.
    const second = text.lastIndexOf('\t', last);
    const first = second > 0 ? text.lastIndexOf('\t', second - 1) : -1;
    const partition = parseCount(text, first + 1, second);
    const offset = parseCount(text, second + 1, last);
    if (first < 0 || partition < 0 || offset < 0) throw corrupt(key, 'fence');
    return [{ topic: text.slice(0, first), partition, offset }];
  }
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const match = FENCE_LINE.exec(line);
      if (!match) throw corrupt(key, 'fence');
      return { topic: match[1]!, partition: Number(match[2]), offset: Number(match[3]) };
    });
}

function corrupt(key: string, field: string): StateStoreError {
  // Never echo the stored value: it may be large, and it is not ours to log.
  return new StateStoreError(`state key ${key} holds a malformed ${field}; delete the key to reset it`, { key });
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromBase64(text: string, key: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64');
  // Buffer.from skips characters outside base64 silently, which shortens the result: a snapshot
  // written by something else fails here rather than as garbage bytes later.
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (text.length % 4 !== 0 || buffer.byteLength !== (text.length / 4) * 3 - padding) throw corrupt(key, 'snapshot');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Redis keys of the state keys: every state key under the prefix. */
export function loadKeys(layout: StateLayout, keys: readonly string[]): string[] {
  return keys.map((key) => layout.prefix + key);
}

/**
 * The fence text each loaded offsets array came from. A commit passes the same array back as
 * `expected`, so its fence goes out as stored, not re-encoded: cheaper, and byte-identical to what
 * the script compares it with even if another writer stored it in another order.
 */
const storedFences = new WeakMap<readonly AbsorbedOffset[], string>();

function stored(key: string, fence: string, snapshot: Uint8Array): StoredState {
  const offsets = decodeFence(fence, key);
  storedFences.set(offsets, fence);
  return { snapshot, offsets };
}

/** What precedes the commit time at the end of a value. */
export const COMMITTED_TRAILER = '\ncommitted:';

/**
 * A v2 value: header, fence, blank line, base64 snapshot — or the snapshot itself when it is text
 * starting with "#" (never the start of base64): a partition's window index, which the window load
 * script reads in place (window-load-script.ts) — and the time it is written.
 */
export function encodeValue(fence: string, snapshot: Uint8Array, committedAt: number = Date.now()): string {
  const body = isText(snapshot) ? Buffer.from(snapshot).toString('latin1') : toBase64(snapshot);
  return `${VALUE_HEADER}${fence}\n${body}${COMMITTED_TRAILER}${Math.trunc(committedAt)}`;
}

/** Printable ASCII, tabs and newlines, starting with "#". */
function isText(snapshot: Uint8Array): boolean {
  if (snapshot[0] !== 0x23) return false;
  for (const byte of snapshot) if ((byte < 0x20 && byte !== 9 && byte !== 10) || byte > 0x7e) return false;
  return true;
}

export function decodeValue(key: string, value: string): StoredState {
  if (!value.startsWith(VALUE_HEADER)) throw corrupt(key, 'value');
  const start = VALUE_HEADER.length;
  const blank = value.charCodeAt(start) === 10 ? start - 1 : value.indexOf('\n\n', start);
  if (blank < 0) throw corrupt(key, 'value');
  // Base64 holds no newline, and a text snapshot (a window index) has the trailer after it: the
  // last newline after the blank line starts the trailer.
  const end = value.lastIndexOf('\n');
  const body = (text: string) => (text.startsWith('#') ? new Uint8Array(Buffer.from(text, 'latin1')) : fromBase64(text, key));
  if (end <= blank + 1) return stored(key, value.slice(start, blank + 1), body(value.slice(blank + 2)));
  if (!value.startsWith(COMMITTED_TRAILER, end)) throw corrupt(key, 'value');
  const committedAt = parseCount(value, end + COMMITTED_TRAILER.length, value.length);
  if (committedAt < 0) throw corrupt(key, 'value');
  return { ...stored(key, value.slice(start, blank + 1), body(value.slice(blank + 2, end))), committedAt };
}

/**
 * The MGET and EXISTS replies of a load. `legacy`: indexes of the keys MGET found no string for
 * while EXISTS counted more keys than MGET found, i.e. candidates for a layout v1 hash (read them
 * with LEGACY_LOAD_SCRIPT); empty in a database without v1 keys.
 */
export function parseValues(keys: readonly string[], values: unknown, existing: unknown): { found: Map<string, StoredState>; legacy: number[] } {
  if (!Array.isArray(values) || values.length !== keys.length) {
    throw new StateStoreError(`MGET answered ${describeShape(values)} for ${keys.length} keys`);
  }
  if (typeof existing !== 'number') throw new StateStoreError(`EXISTS answered ${describeShape(existing)}`);
  const found = new Map<string, StoredState>();
  let strings = 0;
  for (let i = 0; i < keys.length; i++) {
    const value: unknown = values[i];
    if (value === null) continue;
    if (typeof value !== 'string') throw corrupt(keys[i]!, 'value');
    strings++;
    // A key listed twice is one key: MGET and EXISTS count it twice alike.
    found.set(keys[i]!, decodeValue(keys[i]!, value));
  }
  const legacy: number[] = [];
  if (existing > strings) for (let i = 0; i < keys.length; i++) if (values[i] === null) legacy.push(i);
  return { found, legacy };
}

/** LEGACY_LOAD_SCRIPT's reply for `keys`, added to `found`. */
export function parseLegacyReply(keys: readonly string[], reply: unknown, found: Map<string, StoredState>): void {
  if (!Array.isArray(reply) || reply.length !== keys.length) {
    throw new StateStoreError(`the state load script answered ${describeShape(reply)} for ${keys.length} keys`);
  }
  keys.forEach((key, i) => {
    const entry: unknown = reply[i];
    if (entry === null) return;
    if (typeof entry === 'string') {
      found.set(key, decodeValue(key, entry));
      return;
    }
    const [snapshot, fence] = Array.isArray(entry) ? (entry as unknown[]) : [];
    if (typeof snapshot !== 'string' || typeof fence !== 'string') throw corrupt(key, snapshot === null || snapshot === undefined ? 'snapshot' : 'fence');
    found.set(key, stored(key, fence, fromBase64(snapshot, key)));
  });
}

/** KEYS and ARGV for the commit script (argument layout documented in commit-script.ts). */
export function commitArgs(layout: StateLayout, entries: readonly StateEntry[]): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [String(layout.ttlMs)];
  const now = Date.now();
  for (const entry of entries) {
    keys.push(layout.prefix + entry.key);
    args.push(
      entry.expected === null ? NEW_KEY : (storedFences.get(entry.expected) ?? encodeFence(entry.expected, entry.key)),
      encodeValue(encodeNewFence(entry.offsets, entry.key), entry.snapshot, now),
    );
  }
  return { keys, args };
}

/**
 * Splits a commit's KEYS/ARGV into consecutive parts of at most `maxBytes` of arguments each (an
 * entry larger than that goes alone). Only a REST endpoint with a request size limit needs this;
 * the fence semantics are per key, so parts are as safe as one call.
 */
export function splitCommit(keys: readonly string[], args: readonly string[], maxBytes: number): Array<{ keys: string[]; args: string[] }> {
  const parts: Array<{ keys: string[]; args: string[] }> = [];
  const ttl = args[0]!;
  // JSON quotes and a comma, plus one more byte per \t and \n (escaped to two characters).
  const size = (text: string): number => {
    let escapes = 0;
    for (let at = text.indexOf('\n'); at >= 0 && at < 200; at = text.indexOf('\n', at + 1)) escapes++;
    for (let at = text.indexOf('\t'); at >= 0 && at < 200; at = text.indexOf('\t', at + 1)) escapes++;
    // Fences sit at the start of a value; past 200 characters (a fence of many partitions), count all.
    if (escapes > 0 && text.length > 200) escapes = (text.match(/[\t\n]/g) ?? []).length;
    return Buffer.byteLength(text) + escapes + 3;
  };
  let start = 0;
  let bytes = 0;
  for (let i = 0; i <= keys.length; i++) {
    const entry = i < keys.length ? size(keys[i]!) + size(args[2 * i + 1]!) + size(args[2 * i + 2]!) : 0;
    if (i === keys.length || (i > start && bytes + entry > maxBytes)) {
      parts.push({ keys: keys.slice(start, i), args: [ttl, ...args.slice(2 * start + 1, 2 * i + 1)] });
      start = i;
      bytes = 0;
    }
    bytes += entry;
  }
  return parts;
}

const STATUS: Record<string, CommitStatus> = { c: 'committed', d: 'duplicate', x: 'conflict' };

/** The commit script's reply: one character per entry, in order. */
export function parseCommitReply(entries: readonly StateEntry[], reply: unknown): CommitResult[] {
  if (typeof reply !== 'string' || reply.length !== entries.length) {
    throw new StateStoreError(`the state commit script answered ${describeShape(reply)} for ${entries.length} entries`);
  }
  return entries.map((entry, i) => {
    const status = STATUS[reply[i]!];
    if (status === undefined) throw new StateStoreError(`the state commit script answered an unknown status for key ${entry.key}`);
    return { key: entry.key, status };
  });
}

function describeShape(reply: unknown): string {
  if (Array.isArray(reply)) return `an array of ${reply.length}`;
  if (typeof reply === 'string') return `a string of ${reply.length} characters`;
  return reply === null ? 'null' : `a ${typeof reply}`;
}
