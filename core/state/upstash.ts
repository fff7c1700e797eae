import type { Redis } from '@upstash/redis';
import { readEnv, type RawEnv } from '../env/read-env.ts';
import { ConfigError, describeError, StateStoreError } from '../errors.ts';
import { packageExports } from '../lazy-import.ts';
import { fixedSecret, type SecretSource } from '../secrets/source.ts';
import type { ScriptArg, ScriptTransport } from './commit-script.ts';
import type { StateLayoutOptions } from './redis-layout.ts';
import { ScriptStateStore, scanReply } from './script-store.ts';

export interface UpstashStateStoreOptions extends StateLayoutOptions {
  /** REST URL; default UPSTASH_REDIS_REST_URL. */
  url?: string;
  /**
   * REST token, or where to read it (an SSM parameter, see core/secrets/source.ts: read on first
   * use, again when Upstash refuses it); default UPSTASH_REDIS_REST_TOKEN.
   */
  token?: string | SecretSource;
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
    super('upstash', upstashTransport(options), { ...options, maxCommitBytes: options.maxCommitBytes ?? 8 * 1024 * 1024 });
  }
}

/**
 * Checks the settings now (a missing token is a cold-start error); the client is created once its
 * module has loaded: on first use, in its own chunk of a function bundle, so a function on other
 * state does not compile it at cold start.
 */
function upstashTransport(options: UpstashStateStoreOptions): UpstashTransport {
  const env = readEnv(options.env, ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN']);
  const url = options.url ?? env.UPSTASH_REDIS_REST_URL;
  const given = options.token ?? env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !given) {
    throw new ConfigError(
      `Upstash state needs a REST URL and token: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (missing: ${[
        url ? '' : 'url',
        given ? '' : 'token',
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
  if (!validUrl) throw new ConfigError('the Upstash REST URL (UPSTASH_REDIS_REST_URL or the upstash+https:// form of DSPFN_STATE) is not an http(s) URL');
  const token = typeof given === 'string' ? fixedSecret(given, 'the Upstash REST token') : given;
  const library = import('@upstash/redis').then(packageExports, (error: unknown) => {
    throw new StateStoreError(`could not load the Upstash client (@upstash/redis): ${describeError(error)}`);
  });
  return new UpstashTransport(async () => createUpstashClient(await library, url, await token.get(), options), token);
}

function createUpstashClient({ Redis }: typeof import('@upstash/redis'), url: string, token: string, options: UpstashStateStoreOptions): Redis {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Redis({
    url,
    token,
    // Replies are used as Redis sent them: the client would otherwise JSON-parse strings ("42" → 42).
    automaticDeserialization: false,
    // One request per call, so a load or commit is exactly one HTTP round trip, never batched with
    // unrelated commands into a non-atomic /pipeline.
    enableAutoPipelining: false,
    // Everything stored is ASCII text (header, fence, base64): the base64 response layer would only
    // add a third to every reply and a decode pass.
    responseEncoding: false,
    retry: options.retries === undefined ? undefined : options.retries === 0 ? false : { retries: options.retries },
    // A function, so each request gets a fresh deadline and an abort rejects (a plain signal makes
    // the client resolve with "Aborted" as if it were the result).
    signal: () => AbortSignal.timeout(Math.ceil(timeoutMs)),
    enableTelemetry: false,
  });
}

/** REST carries JSON text: bytes go as the UTF-8 text they are (a commit payload is). */
function text(arg: ScriptArg): string {
  return typeof arg === 'string' ? arg : arg.toString('utf8');
}

/** Upstash answers a wrong or revoked token with HTTP 401, which the client reports as this. */
function isUnauthorized(error: unknown): boolean {
  return error instanceof Error && /^(Unauthorized|WRONGPASS)\b/.test(error.message);
}

class UpstashTransport implements ScriptTransport {
  private client: Promise<Redis>;

  constructor(
    private readonly create: () => Promise<Redis>,
    private readonly token: SecretSource,
  ) {
    this.client = this.start();
  }

  evalsha(sha1: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.call((client) => client.evalsha(sha1, [...keys], args.map(text)));
  }

  eval(source: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.call((client) => client.eval(source, [...keys], args.map(text)));
  }

  /** Loads the client and reads the token (when it is a secret); REST has no connection to open. */
  async warm(): Promise<void> {
    await this.current();
  }

  private start(): Promise<Redis> {
    const client = this.create();
    // Awaited by every call; until then a failed load must not be an unhandled rejection.
    client.catch(() => undefined);
    return client;
  }

  /** The client; a failed load or token read is tried again by the next call. */
  private async current(): Promise<Redis> {
    const client = this.client;
    try {
      return await client;
    } catch (error) {
      if (this.client === client) this.client = this.start();
      throw error;
    }
  }

  /** One call; a refused token is read again and, when it changed (rotated), the call is retried once. */
  private async call<T>(run: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await run(await this.current());
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      if (await this.token.refresh().catch(() => false)) {
        this.client = this.start();
        try {
          return await run(await this.current());
        } catch (retryError) {
          if (!isUnauthorized(retryError)) throw retryError;
        }
      }
      throw new StateStoreError(`Upstash refused the REST token (HTTP 401 Unauthorized); it comes from ${this.token.description}`);
    }
  }

  /** One HTTP request to /pipeline: not atomic, which the load does not need (see parseValues). */
  async mgetExists<T>(keys: readonly string[], parse: (values: unknown, existing: unknown) => T): Promise<T> {
    const [values, existing] = await this.call(async (client) => {
      const [values, existing] = await client.pipeline().mget(...keys).exists(...keys).exec();
      return [values, existing] as [unknown, unknown];
    });
    return parse(values, existing);
  }

  scan(cursor: string, match: string, count: number): Promise<[string, string[]]> {
    return this.call(async (client) => scanReply(await client.scan(cursor, { match, count })));
  }

  isNoScript(error: unknown): boolean {
    return error instanceof Error && error.message.startsWith('NOSCRIPT');
  }

  async close(): Promise<void> {}
}
