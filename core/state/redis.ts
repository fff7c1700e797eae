import type { createClient } from '@redis/client';
import { ConfigError, describeError, StateStoreError } from '../errors.ts';
import { jsonLogger, type Logger } from '../logger/logger.ts';
import { packageExports } from '../lazy-import.ts';
import { registerSecret } from '../secrets/redact.ts';
import type { SecretSource } from '../secrets/source.ts';
import { securityFailure, type FailureContext } from '../security/failures.ts';
import { tlsClientOptions, warnInsecure, type TlsMaterial, type TlsSettingNames } from '../security/pem.ts';
import type { ScriptArg, ScriptTransport } from './commit-script.ts';
import type { StateLayoutOptions } from './redis-layout.ts';
import { ScriptStateStore, safeMessage, scanReply } from './script-store.ts';

export const REDIS_TLS_SETTINGS: TlsSettingNames = {
  ca: 'DSPFN_REDIS_CA',
  cert: 'DSPFN_REDIS_CERT',
  key: 'DSPFN_REDIS_KEY',
  insecure: 'DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY',
};

export interface RedisTlsOptions extends TlsMaterial {
  /** Accept any server certificate (no chain or host name check). Test servers only; logged as a warning. */
  insecureSkipVerify?: boolean;
}

export interface RedisStateStoreOptions extends StateLayoutOptions {
  /**
   * `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS; or where to read that URL
   * (an SSM parameter, see core/secrets/source.ts), read on first use and again when refused.
   */
  url: string | SecretSource;
  /** CA bundle, client certificate and key for `rediss://` (verification is always on unless insecureSkipVerify). */
  tls?: RedisTlsOptions;
  /** Where the warning about insecureSkipVerify goes (default: JSON lines on stderr). */
  logger?: Logger;
  /**
   * Longest wait for one load or commit, a reconnect and retry included (default 10 000 ms). A call
   * that gets no answer in time fails and its connection is replaced.
   */
  timeoutMs?: number;
  /** CLIENT SETNAME of the connection, to find it in CLIENT LIST (default `dspfn`). */
  clientName?: string;
  /** Connection errors, for logging; the store reconnects on its own. */
  onConnectionError?: (error: Error) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** State in Redis over TCP (node-redis). Create it once per container: the connection is reused. */
export class RedisStateStore extends ScriptStateStore {
  constructor(options: RedisStateStoreOptions) {
    super('redis', new RedisTransport(options), options);
  }
}

type RedisLibrary = typeof import('@redis/client');
type Client = ReturnType<typeof createRedisClient>;

// Loaded on first use, in its own chunk of a function bundle, so a function on other state does
// not compile it at cold start. The promise is shared: every store in a container uses one module.
let library: Promise<RedisLibrary> | undefined;
function redisLibrary(): Promise<RedisLibrary> {
  library ??= import('@redis/client').then(packageExports);
  return library;
}

function createRedisClient(
  lib: RedisLibrary,
  url: string,
  timeoutMs: number,
  name: string,
  tls: RedisTlsOptions | undefined,
  failure: (cause: unknown) => unknown,
): ReturnType<typeof createClient> {
  const secure = url.startsWith('rediss://')
    ? { tls: true as const, ...(tls !== undefined ? tlsClientOptions(tls, tls.insecureSkipVerify === true, REDIS_TLS_SETTINGS) : {}) }
    : {};
  return lib.createClient({
    url,
    name,
    RESP: 2,
    socket: {
      // Probes idle connections while the process runs. A frozen container probes nothing, so a
      // socket that died meanwhile is handled by send()'s retry and deadline. Credentials come
      // from the URL, TLS from its scheme (rediss://) with the CA and client certificate here.
      keepAlive: true,
      keepAliveInitialDelay: 10_000,
      connectTimeout: Math.min(timeoutMs, 5_000),
      ...secure,
      // Never give up on an outage: a warm container outlives it, and calls are bounded by
      // timeoutMs instead. A refused login or certificate is different: retrying the same
      // credentials cannot succeed, so the attempt ends and the caller says why.
      reconnectStrategy: (retries: number, cause: unknown) => (failure(cause) ? false : Math.min(50 * 2 ** retries, 1_000)),
    },
    // node-redis applies this only to commands not yet written, i.e. waiting for a connection.
    commandOptions: { timeout: timeoutMs },
  });
}

class DeadlineExceeded extends Error {}

class RedisTransport implements ScriptTransport {
  /** Set once the library has loaded; its error classes tell replies from connection failures. */
  private lib: RedisLibrary | undefined;
  private client: Client | undefined;
  /** Settles once the current client completed its first handshake (AUTH, SETNAME). */
  private ready: Promise<void> = Promise.resolve();
  private lastConnectionError: string | undefined;
  private closed = false;
  private readonly timeoutMs: number;

  /** The URL the current client was made with (the user name is in it, for messages). */
  private url: string | undefined;

  constructor(private readonly options: RedisStateStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new StateStoreError(`redis state timeoutMs must be > 0, got ${this.timeoutMs}`);
    if (typeof options.url === 'string') checkRedisUrl(options.url, 'the state URL', options.tls);
    if (options.tls?.insecureSkipVerify) warnInsecure(options.logger ?? jsonLogger({ component: 'redis-state' }), 'Redis', REDIS_TLS_SETTINGS.insecure);
    // Started now, awaited by the first call: the load overlaps the rest of the invocation's setup.
    redisLibrary().catch(() => undefined);
  }

  async evalsha(sha1: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return (await this.send([['EVALSHA', sha1, String(keys.length), ...keys, ...args]]))[0];
  }

  async eval(source: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return (await this.send([['EVAL', source, String(keys.length), ...keys, ...args]]))[0];
  }

  async mgetExists(keys: readonly string[]): Promise<[unknown, unknown]> {
    // Values as Buffers (views of what the socket read), decoded from their bytes: no UTF-8 string each.
    const [values, existing] = await this.send([['MGET', ...keys], ['EXISTS', ...keys]], 1);
    return [values, existing];
  }

  async scan(cursor: string, match: string, count: number): Promise<[string, string[]]> {
    const [reply] = await this.send([['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)]]);
    return scanReply(reply);
  }

  /** Reads the URL when it is a secret and connects (handshake included) now; a later call reuses the connection. */
  async warm(): Promise<void> {
    const deadline = performance.now() + this.timeoutMs;
    const lib = await this.library();
    for (let attempt = 0; ; attempt++) {
      const client = await this.connection(lib);
      try {
        await withDeadline(this.ready, Math.max(1, Math.ceil(deadline - performance.now())));
        return;
      } catch (error) {
        if (await this.retryAfterRefusal(client, error, attempt)) continue;
        throw this.connectFailure(error);
      }
    }
  }

  isNoScript(error: unknown): boolean {
    return this.lib !== undefined && error instanceof this.lib.ErrorReply && error.message.startsWith('NOSCRIPT');
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // close() waits for replies still due, which a dead socket never sends.
    if (client.isReady) await withDeadline(client.close(), 1_000).catch(() => client.destroy());
    else client.destroy();
  }

  private async library(): Promise<RedisLibrary> {
    this.lib ??= await redisLibrary().catch((error: unknown) => {
      throw new StateStoreError(`could not load the Redis client (@redis/client): ${describeError(error)}`);
    });
    return this.lib;
  }

  /** The URL, read from its secret source when it has one (cached there for the container). */
  private async resolveUrl(): Promise<string> {
    const source = this.options.url;
    if (typeof source === 'string') return source;
    const url = (await source.get()).trim();
    checkRedisUrl(url, source.description, this.options.tls);
    return url;
  }

  /** The shared connection, created on first use and again after a call gave up on it. */
  private async connection(lib: RedisLibrary): Promise<Client> {
    if (this.closed) throw new StateStoreError('redis state store is closed');
    if (this.client) return this.client;
    const url = await this.resolveUrl();
    if (this.closed) throw new StateStoreError('redis state store is closed');
    if (this.client) return this.client;
    this.url = url;
    const client = createRedisClient(lib, url, this.timeoutMs, this.options.clientName ?? 'dspfn', this.options.tls, (cause) => this.failureOf(cause));
    client.on('error', (error: Error) => {
      this.lastConnectionError = this.failureOf(error)?.message ?? error.message;
      this.options.onConnectionError?.(error);
    });
    client.on('ready', () => {
      this.lastConnectionError = undefined;
    });
    // The reconnect strategy gave up (refused credentials or certificate): the next call starts a
    // new client, with the URL read again if it was refreshed meanwhile.
    client.on('end', () => {
      if (this.client === client) this.client = undefined;
    });
    // Awaited by send() before the first command: node-redis would otherwise write queued commands
    // right behind AUTH, and on a server whose default user is open they would run as that user
    // even though the URL's credentials were refused.
    this.ready = client.connect().then(() => undefined);
    this.ready.catch(() => undefined);
    this.client = client;
    return client;
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    if (client.isOpen) client.destroy();
  }

  private failureContext(): FailureContext {
    let user: string | undefined;
    try {
      user = this.url ? decodeURIComponent(new URL(this.url).username) || undefined : undefined;
    } catch {
      user = undefined;
    }
    return { service: 'Redis', user, caSetting: REDIS_TLS_SETTINGS.ca, certSetting: REDIS_TLS_SETTINGS.cert };
  }

  private failureOf(error: unknown) {
    return securityFailure(error, this.failureContext());
  }

  /**
   * After a refused login: with the URL in a secret, reads it again, and when it changed (a
   * rotated password) says to try once more on a new connection.
   */
  private async retryAfterRefusal(client: Client, error: unknown, attempt: number): Promise<boolean> {
    if (error instanceof DeadlineExceeded) return false;
    this.drop(client);
    const source = this.options.url;
    if (attempt > 0 || typeof source === 'string' || !this.failureOf(error)?.credentialsRefused) return false;
    return source.refresh().catch(() => false);
  }

  private connectFailure(error: unknown): StateStoreError {
    if (error instanceof DeadlineExceeded) {
      // The client keeps trying in the background; the next call waits for the same connection.
      return new StateStoreError(`could not connect to Redis within ${this.timeoutMs} ms${this.lastError()}`);
    }
    if (error instanceof StateStoreError) return error;
    const failure = this.failureOf(error);
    const source = typeof this.options.url === 'string' ? '' : ` (URL from ${this.options.url.description})`;
    if (failure) return new StateStoreError(`${failure.message}${source}`);
    return new StateStoreError(`could not connect to Redis: ${safeMessage(error)}${source}`);
  }

  /**
   * One command, retried once when the connection broke under it: a socket that went stale while
   * the container was frozen fails the command in flight, and the retry runs on the reconnected
   * one. Retrying a commit is safe: a commit already applied comes back 'duplicate'. Several
   * commands are issued in the same tick, which node-redis writes together: one round trip. The
   * first `binaryReplies` commands answer bulk strings as Buffers.
   */
  private async send(commands: ReadonlyArray<readonly ScriptArg[]>, binaryReplies = 0): Promise<unknown[]> {
    const deadline = performance.now() + this.timeoutMs;
    const lib = await this.library();
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const client = await this.connection(lib);
      try {
        await withDeadline(this.ready, Math.max(1, Math.ceil(deadline - performance.now())));
      } catch (error) {
        if (!refreshed && (await this.retryAfterRefusal(client, error, 0))) {
          refreshed = true;
          continue;
        }
        throw this.connectFailure(error);
      }
      const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
      try {
        const binary = { timeout: remaining, typeMapping: { [lib.RESP_TYPES.BLOB_STRING]: Buffer } };
        const text = { timeout: remaining };
        return await withDeadline(Promise.all(commands.map((args, i) => client.sendCommand(args, i < binaryReplies ? binary : text))), remaining);
      } catch (error) {
        if (error instanceof lib.ErrorReply) throw error;
        if (error instanceof DeadlineExceeded) {
          // A written command has no timeout in node-redis, and later commands would queue behind it
          // on the same socket: replace the connection so the next call starts clean.
          this.drop(client);
          throw new StateStoreError(`Redis did not answer within ${this.timeoutMs} ms${this.lastError()}`);
        }
        if (error instanceof lib.TimeoutError) {
          throw new StateStoreError(`could not reach Redis within ${this.timeoutMs} ms${this.lastError()}`);
        }
        if (attempt > 0 || this.closed || performance.now() >= deadline) {
          throw new StateStoreError(`Redis connection failed: ${safeMessage(error)}${this.lastError()}`);
        }
      }
    }
  }

  private lastError(): string {
    return this.lastConnectionError === undefined ? '' : ` (last connection error: ${this.lastConnectionError})`;
  }
}

/** A state URL's scheme, and TLS settings only where they take effect; the URL itself is never shown. */
function checkRedisUrl(url: string, what: string, tls: RedisTlsOptions | undefined): void {
  registerSecret(url);
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) {
    throw new ConfigError(`${what} is not a redis:// or rediss:// URL`);
  }
  const material = tls !== undefined && (tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined || tls.insecureSkipVerify === true);
  if (material && url.startsWith('redis://')) {
    throw new ConfigError(`${what} is redis:// (no TLS), yet ${REDIS_TLS_SETTINGS.ca}, ${REDIS_TLS_SETTINGS.cert} or ${REDIS_TLS_SETTINGS.insecure} is set: use rediss://`);
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), ms);
  });
  // The loser must not become an unhandled rejection once the deadline has won.
  promise.catch(() => undefined);
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
