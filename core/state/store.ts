import type { AbsorbedOffset } from '../dsp/snapshot.ts';

/** A stored pipeline snapshot and the source offsets it has absorbed (the fence). */
export interface StoredState {
  readonly snapshot: Uint8Array;
  readonly offsets: readonly AbsorbedOffset[];
  /** Epoch ms of the commit that wrote it, where the store keeps it (absent for older values). */
  readonly committedAt?: number;
}

export interface StateEntry {
  readonly key: string;
  readonly snapshot: Uint8Array;
  /** Offsets absorbed after this batch. */
  readonly offsets: readonly AbsorbedOffset[];
  /** Offsets the batch started from (what `load` returned), or null when the key was new. */
  readonly expected: readonly AbsorbedOffset[] | null;
  /**
   * Written together with the commit's other `atomic` entries or not at all: when one of them
   * conflicts, none is written (each is reported a conflict, a duplicate as a duplicate). A
   * windowed commit is atomic, so its keys and partition indexes never part.
   */
  readonly atomic?: true;
}

/**
 * - committed: written.
 * - duplicate: the store already holds these offsets or later ones (a redelivered batch); untouched.
 * - conflict: another writer moved the key since it was loaded; untouched, the batch must be retried.
 */
export type CommitStatus = 'committed' | 'duplicate' | 'conflict';

export interface CommitResult {
  readonly key: string;
  readonly status: CommitStatus;
}

/**
 * A partition's window index to load with a batch's keys, and with it the keys whose windows the
 * batch closes though they have no record in it (see closingKeys in windows/partition-index.ts).
 */
export interface WindowIndexQuery {
  /** State key of the index. */
  readonly index: string;
  /** The state key of a key the index names is this prefix + the key. */
  readonly keyPrefix: string;
  /** The largest event time the batch brings to the partition (-Infinity: none). */
  readonly maxEventTime: number;
  readonly allowedLateness: number;
}

/**
 * Per-key pipeline state between invocations. Implementations load every key of a batch in one
 * round trip and commit them in one, each key atomically and conditionally on its fence.
 */
export interface StateStore {
  readonly name: string;
  /**
   * The stored state of `keys`, and for each window index query the index and the keys it selects
   * (all under their state keys), in one round trip.
   */
  load(keys: readonly string[], windows?: readonly WindowIndexQuery[]): Promise<Map<string, StoredState>>;
  commit(entries: readonly StateEntry[]): Promise<CommitResult[]>;
  /**
   * Optional: load the client and open the connection now (at init) rather than in the first
   * batch. Rejects when the store cannot be reached; the first batch then tries again.
   */
  warm?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Fence entries whose topic starts with this count writes rather than offsets (no Kafka topic holds
 * a "!"): `!tick` counts the idle ticks that closed windows of a value. A writer carries the count
 * as loaded or raises it, so another writer that loaded the value before conflicts. Unlike an
 * offset, a count covers only an equal count, and an entry that raises a count is never a
 * duplicate: two writers raising it from the same value conflict (the one sent twice, too: safe,
 * as it fails and is run again from what it wrote).
 */
export const VERSION_TOPIC_PREFIX = '!';

function offsetMap(offsets: readonly AbsorbedOffset[]): Map<string, number> {
  return new Map(offsets.map((o) => [`${o.topic}-${o.partition}`, o.offset]));
}

/** The decision every store makes for one key, so all backends agree on the fence semantics. */
export function commitDecision(stored: readonly AbsorbedOffset[] | null, entry: StateEntry): CommitStatus {
  const current = stored === null ? null : offsetMap(stored);
  const expected = entry.expected === null ? null : offsetMap(entry.expected);
  if (sameOffsets(current, expected)) return 'committed';
  if (current !== null) {
    // Stored state already covers every partition this entry advances: it was applied before.
    let covered = true;
    for (const o of entry.offsets) {
      const at = current.get(`${o.topic}-${o.partition}`);
      if (at === undefined || at < o.offset || (at !== o.offset && o.topic.startsWith(VERSION_TOPIC_PREFIX))) covered = false;
    }
    // A count this entry does not carry was raised since it loaded; one it raises is not a duplicate (see VERSION_TOPIC_PREFIX).
    for (const [id, at] of current) if (id.startsWith(VERSION_TOPIC_PREFIX) && at > 0 && !entry.offsets.some((o) => `${o.topic}-${o.partition}` === id)) covered = false;
    for (const o of entry.offsets) if (o.topic.startsWith(VERSION_TOPIC_PREFIX) && o.offset !== (expected?.get(`${o.topic}-${o.partition}`) ?? 0)) covered = false;
    if (covered) return 'duplicate';
  }
  return 'conflict';
}

function sameOffsets(a: Map<string, number> | null, b: Map<string, number> | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.size !== b.size) return false;
  for (const [id, offset] of a) if (b.get(id) !== offset) return false;
  return true;
}
