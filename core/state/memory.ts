import { closingKeys } from '../windows/partition-index.ts';
import { commitDecision, type CommitResult, type StateEntry, type StateStore, type StoredState, type WindowIndexQuery } from './store.ts';

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
    const add = (key: string) => {
      const entry = this.entries.get(key);
      if (entry) found.set(key, entry);
    };
    for (const key of keys) add(key);
    for (const query of windows) {
      const index = this.entries.get(query.index);
      if (index === undefined) continue;
      found.set(query.index, index);
      for (const key of closingKeys(latin1.decode(index.snapshot), query.maxEventTime, query.allowedLateness)) add(query.keyPrefix + key);
    }
    return found;
  }

  async commit(entries: readonly StateEntry[]): Promise<CommitResult[]> {
    this.calls.commit++;
    const decide = (entry: StateEntry) => commitDecision(this.entries.get(entry.key)?.offsets ?? null, entry);
    // Atomic entries never list a key twice, so each can be decided before any is written.
    const blocked = entries.some((entry) => entry.atomic === true && decide(entry) === 'conflict');
    return entries.map((entry) => {
      const status = decide(entry);
      if (status !== 'committed') return { key: entry.key, status };
      if (blocked && entry.atomic === true) return { key: entry.key, status: 'conflict' };
      this.entries.set(entry.key, { snapshot: entry.snapshot.slice(), offsets: entry.offsets.map((o) => ({ ...o })) });
      return { key: entry.key, status };
    });
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
