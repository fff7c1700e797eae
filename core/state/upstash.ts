import type { Redis } from '@upstash/redis';
import { readEnv, type RawEnv } from '../env/read-env.ts';
import { ConfigError, describeError, StateStoreError } from '../errors.ts';
import { packageExports } from '../lazy-import.ts';
import type { ScriptTransport } from './commit-script.ts';
import type { StateLayoutOptions } from './redis-layout.ts';
import { ScriptStateStore } from './script-store.ts';

export interface UpstashStateStoreOptions extends StateLayoutOptions {
  /** REST URL; default UPSTASH_REDIS_REST_URL. */
  url?: string;
  /** REST token; default UPSTASH_REDIS_REST_TOKEN. */
  token?: string;
  /** Longest wait for one load or commit, the client's retries included (default 10 000 ms). */
  timeoutMs?: number;
  /**
   * Retries after a network error (default 5, the client's own default). Safe for commits: one that
   * was applied before the error comes back 'duplicate'.
   */
  retries?: number;
  /** Where the UPSTASH_* defaults are read from (default process.env). */
  env?: RawEnv;
  /**
   * Larger commits go out as several requests, in order (default 8 MiB, under Upstash's 10 MB
   * request limit; raise it on plans with a higher one).
   */
  maxCommitBytes?: number;
}

/** State in Upstash Redis over its REST API: stateless HTTP, nothing to reconnect. */
export class UpstashStateStore extends ScriptStateStore {
  constructor(options: UpstashStateStoreOptions = {}) {
    super('upstash', new UpstashTransport(createUpstashClient(options)), { ...options, maxCommitBytes: options.maxCommitBytes ?? 8 * 1024 * 1024 });
  }
}

/**
 * Checks the settings now (a missing token is a cold-start error) and creates the client once its
 * module has loaded: on first use, in its own chunk of a function bundle, so a function on other
 * state does not compile it at cold start.
 */
function createUpstashClient(options: UpstashStateStoreOptions): Promise<Redis> {
  const env = readEnv(options.env, ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN']);
  const url = options.url ?? env.UPSTASH_REDIS_REST_URL;
  const token = options.token ?? env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) {
    throw new ConfigError(
      `Upstash state needs a REST URL and token: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (missing: ${[
        url ? '' : 'url',
        token ? '' : 'token',
      ]
        .filter(Boolean)
        .join(', ')})`,
    );
  }
  // Checked here: the client's own error quotes the URL, which may be the token put in the wrong variable.
  const validUrl = (() => {
    try {
      return ['https:', 'http:'].includes(new URL(url).protocol) && !/\s/.test(url);
    } catch {
      return false;
    }
  })();
  if (!validUrl) throw new ConfigError(`the Upstash REST URL (UPSTASH_REDIS_REST_URL or the upstash+https:// form of DSPFN_STATE) is not an http(s) URL`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const library = import('@upstash/redis').then(packageExports, (error: unknown) => {
    throw new StateStoreError(`could not load the Upstash client (@upstash/redis): ${describeError(error)}`);
  });
  return library.then(({ Redis }) => new Redis({
    url,
    token,
    // Replies are used as Redis sent them: the client would otherwise JSON-parse strings ("42" → 42).
    automaticDeserialization: false,
    // One request per call, so a load or commit is exactly one HTTP round trip, never batched with
    // unrelated commands into a non-atomic /pipeline.
    enableAutoPipelining: false,
    // Everything stored is base64 or fence text, valid UTF-8: the base64 response layer would only
    // add a third to every reply and a decode pass.
    responseEncoding: false,
    retry: options.retries === undefined ? undefined : options.retries === 0 ? false : { retries: options.retries },
    // A function, so each request gets a fresh deadline and an abort rejects (a plain signal makes
    // the client resolve with "Aborted" as if it were the result).
    signal: () => AbortSignal.timeout(Math.ceil(timeoutMs)),
    enableTelemetry: false,
  }));
}

class UpstashTransport implements ScriptTransport {
  constructor(private readonly client: Promise<Redis>) {
    // Awaited by every call; until then a failed load must not be an unhandled rejection.
    client.catch(() => undefined);
  }

  async evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return (await this.client).evalsha(sha1, [...keys], [...args]);
  }

  async eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return (await this.client).eval(source, [...keys], [...args]);
  }

  /** Loads the client; REST has no connection to open. */
  async warm(): Promise<void> {
    await this.client;
  }

  isNoScript(error: unknown): boolean {
    return error instanceof Error && error.message.startsWith('NOSCRIPT');
  }

  async close(): Promise<void> {}
}
