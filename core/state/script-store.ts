import { DspfnError, StateStoreError } from '../errors.ts';
import { globEscape, RESET_SCRIPT, WRITE_SCRIPT } from './admin-scripts.ts';
import { commitCalls } from './commit-payload.ts';
import { COMMIT_SCRIPT, LEGACY_LOAD_SCRIPT, runScript, type ScriptTransport } from './commit-script.ts';
import { RedisKeyNames } from './key-names.ts';
import { PayloadWriter } from './payload-writer.ts';
import {
  COMMITTED_TRAILER,
  parseCommitReply,
  parseLegacyReply,
  parseValues,
  resolveLayout,
  type StateLayout,
  type StateLayoutOptions,
} from './redis-layout.ts';
import type { CommitResult, StateEntry, StateStore, StoredState, WindowIndexQuery } from './store.ts';
import { WINDOW_LOAD_SCRIPT, parseWindowLoadReply, windowLoadArgs } from './window-load-script.ts';

/**
 * A StateStore over any Redis: one round trip per load (MGET and EXISTS, pipelined; with window
 * indexes, one script call) and one script
 * call per commit, whatever the number of keys. The TCP and REST stores only supply the transport.
 */
export interface ScriptStoreOptions extends StateLayoutOptions {
  /**
   * Commits whose arguments exceed this are sent as several script calls, in order (default: no
   * limit). For endpoints with a request size limit (Upstash: 10 MB).
   */
  maxCommitBytes?: number;
}

/** Spare payload buffers up to this size are kept (8 MiB: commits of 40,000-odd small keys). */
const MAX_SPARE_BYTES = 8 * 1024 * 1024;

export class ScriptStateStore implements StateStore {
  readonly layout: StateLayout;
  private readonly maxCommitBytes: number;
  private readonly names: RedisKeyNames;
  /**
   * The payload buffer of the last commit, for the next: a fresh one costs its first writes a page
   * fault every 4 KiB (about 0.6 ms for the 1.3 MB of 10,000 keys).
   */
  private spareWriter: PayloadWriter | undefined;

  constructor(
    readonly name: string,
    private readonly transport: ScriptTransport,
    options: ScriptStoreOptions = {},
  ) {
    this.layout = resolveLayout(options);
    this.maxCommitBytes = options.maxCommitBytes ?? Infinity;
    this.names = new RedisKeyNames(this.layout.prefix);
  }

  async warm(): Promise<void> {
    await this.call('warm-up', async () => this.transport.warm?.());
  }

  async load(keys: readonly string[], windows: readonly WindowIndexQuery[] = []): Promise<Map<string, StoredState>> {
    if (windows.length > 0) {
      const call = windowLoadArgs(this.layout, keys, windows);
      return parseWindowLoadReply(keys, windows, await this.call('load', () => runScript(this.transport, WINDOW_LOAD_SCRIPT, call.keys, call.args)));
    }
    if (keys.length === 0) return new Map();
    const redisKeys = this.names.redisKeys(keys);
    const { found, legacy } = (await this.call('load', () =>
      this.transport.mgetExists(redisKeys, (values, existing) => parseValues(keys, values, existing)),
    )) as ReturnType<typeof parseValues>;
    if (legacy.length > 0) {
      // Only while keys of layout v1 remain: each is rewritten as v2 by its next commit.
      const reply = await this.call('load', () => runScript(this.transport, LEGACY_LOAD_SCRIPT, legacy.map((i) => redisKeys[i]!), []));
      parseLegacyReply(legacy.map((i) => keys[i]!), reply, found);
    }
    return found;
  }

  async commit(entries: readonly StateEntry[]): Promise<CommitResult[]> {
    if (entries.length === 0) return [];
    // A commit running meanwhile (another partition's batch) has the spare writer: this one takes a new one.
    const writer = this.spareWriter ?? new PayloadWriter(entries.length * 192);
    this.spareWriter = undefined;
    // Atomic entries (a windowed commit) go in one script call, whatever maxCommitBytes says: parts
    // could not be all or nothing.
    const group = atomicGroup(entries);
    const calls = commitCalls(this.layout, entries, group === undefined ? this.maxCommitBytes : Infinity, Date.now(), { names: this.names, writer });
    const ttl = String(this.layout.ttlMs);
    let results: CommitResult[];
    if (calls.length === 1) {
      const call = calls[0]!;
      const args = [ttl, call.payload, call.repeated ? '1' : '0'];
      if (group !== undefined) args.push(group);
      results = parseCommitReply(entries, await this.call('commit', () => runScript(this.transport, COMMIT_SCRIPT, call.keys, args)));
    } else {
      // In order, one after the other: a key listed twice must see its earlier entry applied.
      results = [];
      for (const call of calls) {
        const reply = await this.call('commit', () => runScript(this.transport, COMMIT_SCRIPT, call.keys, [ttl, call.payload, call.repeated ? '1' : '0']));
        results.push(...parseCommitReply(entries.slice(results.length, results.length + call.keys.length), reply));
      }
    }
    // Answered, so every byte of the payload was sent: the buffer can take the next commit's. Not
    // after a failure, when a command could still be queued on a connection, and not a large one.
    if (writer.buffer.length <= MAX_SPARE_BYTES) this.spareWriter = writer;
    return results;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /**
   * The state keys (without the prefix) that start with `start`, a SCAN page at a time: never a
   * KEYS, which would block a shared Redis. SCAN may return a key twice; callers de-duplicate.
   */
  async *scan(start: string): AsyncGenerator<string[]> {
    const match = `${globEscape(this.layout.prefix + start)}*`;
    let cursor = '0';
    do {
      const [next, keys] = (await this.call('scan', () => this.transport.scan(cursor, match, 1_000))) as [string, string[]];
      if (keys.length > 0) yield keys.map((key) => key.slice(this.layout.prefix.length));
      cursor = next;
    } while (cursor !== '0');
  }

  /**
   * Drops the snapshots of these state keys and keeps their fences (see RESET_SCRIPT): each key's
   * next batch starts afresh and still skips the records it had applied.
   */
  async reset(keys: readonly string[], now: number = Date.now()): Promise<{ reset: number; deleted: number; missing: number }> {
    const outcome = { reset: 0, deleted: 0, missing: 0 };
    for (let at = 0; at < keys.length; at += 500) {
      const part = keys.slice(at, at + 500);
      const reply = await this.call('reset', () =>
        runScript(this.transport, RESET_SCRIPT, this.names.redisKeys(part), [String(this.layout.ttlMs), `${COMMITTED_TRAILER}${Math.trunc(now)}`]),
      );
      if (typeof reply !== 'string' || reply.length !== part.length) throw new StateStoreError(`the state reset script answered for ${part.length} keys unexpectedly`);
      for (const status of reply) {
        if (status === 'r') outcome.reset++;
        else if (status === 'd') outcome.deleted++;
        else outcome.missing++;
      }
    }
    return outcome;
  }

  /** Writes stored values as they are (layout v2 text, see redis-layout.ts), replacing what the keys held. */
  async write(values: ReadonlyArray<{ key: string; value: string }>): Promise<void> {
    for (let at = 0; at < values.length; at += 500) {
      const part = values.slice(at, at + 500);
      await this.call('write', () =>
        runScript(this.transport, WRITE_SCRIPT, this.names.redisKeys(part.map((v) => v.key)), [String(this.layout.ttlMs), ...part.map((v) => v.value)]),
      );
    }
  }

  private async call(what: string, run: () => Promise<unknown>): Promise<unknown> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DspfnError) throw error;
      throw new StateStoreError(`${this.name} state ${what} failed: ${safeMessage(error)}`);
    }
  }
}

/** The commit script's ARGV[4]: 'a' per atomic entry, '-' per other; undefined when none is atomic (no cost). */
function atomicGroup(entries: readonly StateEntry[]): string | undefined {
  if (!entries.some((entry) => entry.atomic === true)) return undefined;
  return entries.map((entry) => (entry.atomic === true ? 'a' : '-')).join('');
}

/** A SCAN reply, from the TCP store (RESP2 arrays) or @upstash/redis (cursor as a string or number). */
export function scanReply(reply: unknown): [string, string[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new StateStoreError('SCAN answered an unexpected reply');
  return [String(reply[0]), (reply[1] as unknown[]).map(String)];
}

/**
 * An error's message without the command it carried: @upstash/redis appends the whole command,
 * snapshots included, which must not reach the logs. The cause is dropped for the same reason.
 */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cut = message.indexOf(', command was: ');
  const text = cut >= 0 ? message.slice(0, cut) : message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
