import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { closingKeys } from '../windows/partition-index.ts';
import { commitDecision, type CommitResult, type CommitStatus, type StateEntry, type StateStore, type StoredState, type WindowIndexQuery } from './store.ts';

/**
 * Process-local state: the embedded default for tests and replays. On Lambda it lives only as long
 * as the container, so production functions use a Redis store.
 */
export class MemoryStateStore implements StateStore {
  readonly name = 'memory';
  private readonly entries = new Map<string, StoredState>();
  /** Round trips made, so tests can check one load and one commit per batch. */
  readonly calls = { load: 0, commit: 0 };

  async load(keys: readonly string[], windows: readonly WindowIndexQuery[] = []): Promise<Map<string, StoredState>> {
    this.calls.load++;
    const found = new Map<string, StoredState>();
    for (let i = 0; i < keys.length; i++) this.find(keys[i]!, found);
    for (const query of windows) {
      const index = this.entries.get(query.index);
      if (index === undefined) continue;
      found.set(query.index, index);
      for (const key of closingKeys(latin1.decode(index.snapshot), query.maxEventTime, query.allowedLateness)) this.find(query.keyPrefix + key, found);
    }
    return found;
  }

  private find(key: string, found: Map<string, StoredState>): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) found.set(key, entry);
  }

  async commit(entries: readonly StateEntry[]): Promise<CommitResult[]> {
    this.calls.commit++;
    // Atomic entries never list a key twice, so each can be decided before any is written.
    let blocked = false;
    for (const entry of entries) if (entry.atomic === true && this.decide(entry) === 'conflict') blocked = true;
    const results: CommitResult[] = [];
    for (const entry of entries) {
      let status = this.decide(entry);
      if (status === 'committed' && blocked && entry.atomic === true) status = 'conflict';
      // Copies: what a caller does with its entry afterwards must not change the store.
      else if (status === 'committed') this.entries.set(entry.key, { snapshot: entry.snapshot.slice(), offsets: copyOffsets(entry.offsets) });
      results.push({ key: entry.key, status });
    }
    return results;
  }

  private decide(entry: StateEntry): CommitStatus {
    return commitDecision(this.entries.get(entry.key)?.offsets ?? null, entry);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  get(key: string): StoredState | undefined {
    return this.entries.get(key);
  }

  async close(): Promise<void> {}
}

const latin1 = new TextDecoder('latin1');

function copyOffsets(offsets: readonly AbsorbedOffset[]): AbsorbedOffset[] {
  const copy: AbsorbedOffset[] = [];
  for (let i = 0; i < offsets.length; i++) {
    const { topic, partition, offset } = offsets[i]!;
    copy.push({ topic, partition, offset });
  }
  return copy;
}
