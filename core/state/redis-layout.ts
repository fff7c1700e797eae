import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { ConfigError, StateStoreError } from '../errors.ts';
import type { BulkStrings } from './resp.ts';
import type { CommitResult, CommitStatus, StateEntry, StoredState } from './store.ts';
import { base64Length, corrupt, decodeBase64, decodeFenceBytes, decodeValueAt } from './value-decoder.ts';

/**
 * How dspfn keeps state in Redis, shared by the TCP (RESP) and REST (Upstash) stores so one
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

export function checkOffset(o: AbsorbedOffset, key: string): void {
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

/** A fence as text (a v1 hash's fence field). */
export function decodeFence(text: string, key: string): AbsorbedOffset[] {
  const bytes = Buffer.from(text, 'utf8');
  return decodeFenceBytes(bytes, 0, bytes.length, key).offsets;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A v1 hash's base64 snapshot field. */
function fromBase64(text: string, key: string): Uint8Array {
  if (Buffer.byteLength(text) !== text.length) throw corrupt(key, 'snapshot');
  const bytes = Buffer.from(text, 'latin1');
  const into = Buffer.allocUnsafe(base64Length(bytes, 0, bytes.length) + 3);
  return into.subarray(0, decodeBase64(into, 0, bytes, 0, bytes.length, key));
}

/**
 * The stored text a loaded offsets array came from when encodeFence would not give it back (lines
 * in another order, numbers with leading zeros: not what dspfn writes): the value's header and
 * fence through the blank line, which is what the commit script compares the stored value's start
 * with. A commit passes the same array back as `expected`, so its fence goes out as stored.
 */
const storedFences = new WeakMap<readonly AbsorbedOffset[], string>();

/**
 * The start of the stored value a commit expects (header, fence, blank line; '' for a new key) when
 * it is not what encodeFence writes; undefined otherwise.
 */
export function storedPrefix(expected: readonly AbsorbedOffset[]): string | undefined {
  return storedFences.get(expected);
}

/** What precedes the commit time at the end of a value. */
export const COMMITTED_TRAILER = '\ncommitted:';

/**
 * A v2 value: header, fence, blank line, base64 snapshot — or the snapshot itself when it is text
 * starting with "#" (never the start of base64): a partition's window index, which the window load
 * script reads in place (window-load-script.ts) — and the time it is written.
 */
export function encodeValue(fence: string, snapshot: Uint8Array, committedAt: number = Date.now()): string {
  return `${VALUE_HEADER}${fence}\n${snapshotText(snapshot)}${COMMITTED_TRAILER}${Math.trunc(committedAt)}`;
}

/** A snapshot as stored: base64, or a text snapshot (a window index) as it is. */
export function snapshotText(snapshot: Uint8Array): string {
  return isTextSnapshot(snapshot) ? Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength).toString('latin1') : toBase64(snapshot);
}

/** Printable ASCII, tabs and newlines, starting with "#": stored as it is. */
export function isTextSnapshot(snapshot: Uint8Array): boolean {
  if (snapshot[0] !== 0x23) return false;
  for (const byte of snapshot) if ((byte < 0x20 && byte !== 9 && byte !== 10) || byte > 0x7e) return false;
  return true;
}

/** A v2 value as stored state (text, as the REST API gives it; see value-decoder.ts for bytes). */
export function decodeValue(key: string, value: string | Uint8Array): StoredState {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return decodeValueAt(key, bytes, 0, bytes.length, Buffer.allocUnsafe(bytes.length), 0, storedFences);
}

/** A v1 hash's fields as stored state. */
function legacyState(key: string, fence: string, snapshot: string): StoredState {
  const offsets = decodeFence(fence, key);
  storedFences.set(offsets, `${VALUE_HEADER}${fence}\n`);
  return { snapshot: fromBase64(snapshot, key), offsets };
}

/**
 * The MGET and EXISTS replies of a load: MGET's as an array of values (text from the REST API,
 * bytes, null) or read in place (BulkStrings, the TCP store). `legacy`: indexes of the keys MGET
 * found no string for while EXISTS counted more keys than MGET found, i.e. candidates for a layout
 * v1 hash (read them with LEGACY_LOAD_SCRIPT); empty in a database without v1 keys.
 */
export function parseValues(keys: readonly string[], values: unknown, existing: unknown): { found: Map<string, StoredState>; legacy: number[] } {
  const bulk = isBulkStrings(values);
  if (bulk && values.start.length !== keys.length) throw new StateStoreError(`MGET answered an array of ${values.start.length} for ${keys.length} keys`);
  if (!bulk && (!Array.isArray(values) || values.length !== keys.length)) {
    throw new StateStoreError(`MGET answered ${describeShape(values)} for ${keys.length} keys`);
  }
  if (typeof existing !== 'number') throw new StateStoreError(`EXISTS answered ${describeShape(existing)}`);
  const spans = bulk ? values : arraySpans(keys, values as unknown[]);
  const found = new Map<string, StoredState>();
  const strings = decodeSpans(keys, spans, found);
  const legacy: number[] = [];
  if (existing > strings) for (let i = 0; i < keys.length; i++) if (spans.start[i]! < 0) legacy.push(i);
  return { found, legacy };
}

function isBulkStrings(values: unknown): values is BulkStrings {
  return typeof values === 'object' && values !== null && (values as Partial<BulkStrings>).start instanceof Int32Array;
}

/** Values as spans of bytes: value i is `bytes[start[i], end[i])` (of bytes[i] when a list), start -1 for nil. */
interface ValueSpans {
  readonly bytes: Uint8Array | readonly Uint8Array[];
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** An MGET reply given as an array, each value whole in bytes of its own. */
function arraySpans(keys: readonly string[], values: readonly unknown[]): ValueSpans {
  const bytes = new Array<Uint8Array>(values.length);
  const start = new Int32Array(values.length);
  const end = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // Bytes from the TCP store; text from the REST API, whose values are the UTF-8 of that text.
    const read = value instanceof Uint8Array ? value : typeof value === 'string' ? Buffer.from(value, 'utf8') : null;
    if (read === null && value !== null) throw corrupt(keys[i]!, 'value');
    if (read === null) {
      start[i] = -1;
      continue;
    }
    bytes[i] = read;
    end[i] = read.length;
  }
  return { bytes, start, end };
}

/**
 * Decodes the values among `spans` (nils skipped) into `found`, every snapshot a view of one buffer
 * for the lot; returns how many values there were.
 */
function decodeSpans(keys: readonly string[], spans: ValueSpans, found: Map<string, StoredState>): number {
  const { bytes, start, end } = spans;
  let left = 0;
  let longest = 0;
  let strings = 0;
  for (let i = 0; i < keys.length; i++) {
    if (start[i]! < 0) continue;
    const length = end[i]! - start[i]!;
    strings++;
    left += length;
    if (length > longest) longest = length;
  }
  // Base64 decodes to 3/4 of its length; a text snapshot (a window index) needs its own length,
  // which the next buffer provides when this one is short.
  let into = Buffer.allocUnsafe(Math.ceil(left * 0.75) + longest);
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    const from = start[i]!;
    if (from < 0) continue;
    const to = end[i]!;
    if (into.length - at < to - from) {
      into = Buffer.allocUnsafe(Math.ceil(left * 0.75) + to - from);
      at = 0;
    }
    left -= to - from;
    const key = keys[i]!;
    const value = bytes instanceof Uint8Array ? bytes : bytes[i]!;
    const stored = decodeValueAt(key, value, from, to, into, at, storedFences);
    // A key listed twice is one key: MGET and EXISTS count it twice alike.
    found.set(key, stored);
    at += stored.snapshot.byteLength;
  }
  return strings;
}

/** LEGACY_LOAD_SCRIPT's reply for `keys`, added to `found`. */
export function parseLegacyReply(keys: readonly string[], reply: unknown, found: Map<string, StoredState>): void {
  if (!Array.isArray(reply) || reply.length !== keys.length) {
    throw new StateStoreError(`the state load script answered ${describeShape(reply)} for ${keys.length} keys`);
  }
  const values = reply.map((entry: unknown) => (Array.isArray(entry) ? null : entry));
  decodeSpans(keys, arraySpans(keys, values), found);
  keys.forEach((key, i) => {
    const entry: unknown = reply[i];
    if (!Array.isArray(entry)) return;
    const [snapshot, fence] = entry as unknown[];
    if (typeof snapshot !== 'string' || typeof fence !== 'string') throw corrupt(key, snapshot === null || snapshot === undefined ? 'snapshot' : 'fence');
    found.set(key, legacyState(key, fence, snapshot));
  });
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
