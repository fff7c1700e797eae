import { DspfnError, StateStoreError } from '../errors.ts';
import { COMMIT_SCRIPT, LEGACY_LOAD_SCRIPT, runScript, type ScriptTransport } from './commit-script.ts';
import {
  commitArgs,
  loadKeys,
  parseCommitReply,
  parseLegacyReply,
  parseValues,
  resolveLayout,
  splitCommit,
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

export class ScriptStateStore implements StateStore {
  readonly layout: StateLayout;
  private readonly maxCommitBytes: number;

  constructor(
    readonly name: string,
    private readonly transport: ScriptTransport,
    options: ScriptStoreOptions = {},
  ) {
    this.layout = resolveLayout(options);
    this.maxCommitBytes = options.maxCommitBytes ?? Infinity;
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
    const redisKeys = loadKeys(this.layout, keys);
    const [values, existing] = (await this.call('load', () => this.transport.mgetExists(redisKeys))) as [unknown, unknown];
    const { found, legacy } = parseValues(keys, values, existing);
    if (legacy.length > 0) {
      // Only while keys of layout v1 remain: each is rewritten as v2 by its next commit.
      const reply = await this.call('load', () => runScript(this.transport, LEGACY_LOAD_SCRIPT, legacy.map((i) => redisKeys[i]!), []));
      parseLegacyReply(legacy.map((i) => keys[i]!), reply, found);
    }
    return found;
  }

  async commit(entries: readonly StateEntry[]): Promise<CommitResult[]> {
    if (entries.length === 0) return [];
    const { keys, args } = commitArgs(this.layout, entries);
    if (!Number.isFinite(this.maxCommitBytes)) {
      return parseCommitReply(entries, await this.call('commit', () => runScript(this.transport, COMMIT_SCRIPT, keys, args)));
    }
    // In order, one after the other: a key listed twice must see its earlier entry applied.
    const results: CommitResult[] = [];
    for (const part of splitCommit(keys, args, this.maxCommitBytes)) {
      const reply = await this.call('commit', () => runScript(this.transport, COMMIT_SCRIPT, part.keys, part.args));
      results.push(...parseCommitReply(entries.slice(results.length, results.length + part.keys.length), reply));
    }
    return results;
  }

  close(): Promise<void> {
    return this.transport.close();
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
