import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { ConfigError, StateStoreError } from '../errors.ts';
import type { CommitResult, CommitStatus, StateEntry, StoredState } from './store.ts';

/**
 * How dspfn keeps state in Redis, shared by the TCP (node-redis) and REST (Upstash) stores so one
 * database can be used through either:
 *
 *   <prefix><state key>  hash  snapshot  base64 of the pipeline snapshot
 *                              fence     offsets the snapshot has absorbed, canonical text (below)
 *
 * Base64 on both transports because the REST API only carries text; storing raw bytes over TCP
 * would make the same data unreadable through Upstash's REST endpoint.
 */
export const DEFAULT_PREFIX = 'dspfn:';
/** Hash fields; commit-script.ts spells the same names in Lua. */
export const SNAPSHOT_FIELD = 'snapshot';
export const FENCE_FIELD = 'fence';
/** The expected fence of a key that did not exist at load time. Never a valid fence (see encodeFence). */
export const NEW_KEY = 'new';

export interface StateLayoutOptions {
  /** Prepended to every state key (default `dspfn:`): separates environments sharing a database. */
  prefix?: string;
  /** Delete keys not committed for this long (PEXPIRE on every commit). Absent or 0: keep forever. */
  ttlSeconds?: number;
}

export interface StateLayout {
  readonly prefix: string;
  /** 0 means no expiry; commits then PERSIST, so turning the TTL off also clears old expiries. */
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

/** KEYS for the load script: every state key under the prefix. */
export function loadKeys(layout: StateLayout, keys: readonly string[]): string[] {
  return keys.map((key) => layout.prefix + key);
}

/**
 * The fence text each loaded offsets array came from. A commit passes the same array back as
 * `expected`, so its fence goes out as stored, not re-encoded: cheaper, and byte-identical to what
 * the script compares it with even if another writer stored it in another order.
 */
const storedFences = new WeakMap<readonly AbsorbedOffset[], string>();

/** The load script's reply: snapshot and fence per key, both null for a missing key. */
export function parseLoadReply(keys: readonly string[], reply: unknown): Map<string, StoredState> {
  if (!Array.isArray(reply) || reply.length !== keys.length * 2) {
    throw new StateStoreError(`the state load script answered ${describeShape(reply)} for ${keys.length} keys`);
  }
  const found = new Map<string, StoredState>();
  keys.forEach((key, i) => {
    const snapshot: unknown = reply[2 * i];
    const fence: unknown = reply[2 * i + 1];
    if (snapshot === null && fence === null) return;
    if (typeof snapshot !== 'string' || typeof fence !== 'string') throw corrupt(key, snapshot === null ? 'snapshot' : 'fence');
    const offsets = decodeFence(fence, key);
    storedFences.set(offsets, fence);
    found.set(key, { snapshot: fromBase64(snapshot, key), offsets });
  });
  return found;
}

/** KEYS and ARGV for the commit script (argument layout documented in commit-script.ts). */
export function commitArgs(layout: StateLayout, entries: readonly StateEntry[]): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [String(layout.ttlMs)];
  for (const entry of entries) {
    keys.push(layout.prefix + entry.key);
    args.push(
      entry.expected === null ? NEW_KEY : (storedFences.get(entry.expected) ?? encodeFence(entry.expected, entry.key)),
      encodeNewFence(entry.offsets, entry.key),
      toBase64(entry.snapshot),
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
  // JSON quotes and commas, plus \t and \n in fences escaped to two characters.
  const size = (text: string): number => Buffer.byteLength(text) * (text.includes('\n') ? 2 : 1) + 3;
  let start = 0;
  let bytes = 0;
  for (let i = 0; i <= keys.length; i++) {
    const entry = i < keys.length ? size(keys[i]!) + size(args[3 * i + 1]!) + size(args[3 * i + 2]!) + size(args[3 * i + 3]!) : 0;
    if (i === keys.length || (i > start && bytes + entry > maxBytes)) {
      parts.push({ keys: keys.slice(start, i), args: [ttl, ...args.slice(3 * start + 1, 3 * i + 1)] });
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
