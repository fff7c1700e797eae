import { ConfigError, StateStoreError } from '../errors.ts';
import { jsonLogger, type Logger } from '../logger/logger.ts';
import { registerSecret } from '../secrets/redact.ts';
import type { SecretSource } from '../secrets/source.ts';
import { securityFailure, type FailureContext } from '../security/failures.ts';
import { tlsClientOptions, warnInsecure, type TlsMaterial, type TlsSettingNames } from '../security/pem.ts';
import type { ScriptArg, ScriptTransport } from './commit-script.ts';
import type { StateLayoutOptions } from './redis-layout.ts';
import { RespConnection, RespConnectionError, parseRedisUrl, type ReplyRead, type RespEndpoint } from './resp-connection.ts';
import { RespError, RespProtocolError, RespWriter } from './resp.ts';
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

/** State in Redis over TCP (its own RESP connection). Create it once per container: the connection is reused. */
export class RedisStateStore extends ScriptStateStore {
  constructor(options: RedisStateStoreOptions) {
    super('redis', new RedisTransport(options), options);
  }
}

const RETRY_MAX_MS = 1_000;

class DeadlineExceeded extends Error {}

/**
 * The store's connection (resp-connection.ts): opened on first use, replaced after a call gave up
 * on it or it broke. Commands are encoded straight into a reused buffer and a load's values read
 * in place (resp.ts): with 10,000 keys, node-redis's argument strings and a Buffer per value cost
 * the client about a quarter of its CPU per batch (README, Benchmarks).
 */
class RedisTransport implements ScriptTransport {
  private connectionNow: RespConnection | undefined;
  /** The connection being opened (shared by the calls that wait for it). */
  private opening: Promise<RespConnection> | undefined;
  private lastConnectionError: string | undefined;
  private closed = false;
  private readonly timeoutMs: number;
  /** Encodes the next command; taken by a call until Redis answered it (its bytes were sent by then). */
  private spareWriter: RespWriter | undefined;

  /** The URL the current connection was made with (the user name is in it, for messages). */
  private url: string | undefined;

  constructor(private readonly options: RedisStateStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new StateStoreError(`redis state timeoutMs must be > 0, got ${this.timeoutMs}`);
    if (typeof options.url === 'string') checkRedisUrl(options.url, 'the state URL', options.tls);
    if (options.tls?.insecureSkipVerify) warnInsecure(options.logger ?? jsonLogger({ component: 'redis-state' }), 'Redis', REDIS_TLS_SETTINGS.insecure);
  }

  evalsha(sha1: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.script('EVALSHA', sha1, keys, args);
  }

  eval(source: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.script('EVAL', source, keys, args);
  }

  mgetExists<T>(keys: readonly string[], parse: (values: unknown, existing: unknown) => T): Promise<T> {
    return this.send(
      (w) => {
        // The same keys twice: encoded once, copied.
        w.arrayHeader(keys.length + 1);
        w.text('MGET');
        const from = w.length;
        for (const key of keys) w.text(key);
        const to = w.length;
        w.arrayHeader(keys.length + 1);
        w.text('EXISTS');
        w.repeat(from, to);
      },
      2,
      (reader) => {
        // Decoded in place, while the replies are in the receive buffer: no copy of the values
        // (1.5 MB for 10,000 keys); the decoded state copies what it keeps.
        const values = reader.bulkStrings();
        const existing = reader.value();
        if (values instanceof RespError) throw values;
        if (existing instanceof RespError) throw existing;
        return parse(values, existing);
      },
    );
  }

  async scan(cursor: string, match: string, count: number): Promise<[string, string[]]> {
    return scanReply(await this.send((w) => w.command(['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)]), 1, (reader) => reader.value()));
  }

  /** Reads the URL when it is a secret and connects (handshake included) now; a later call reuses the connection. */
  async warm(): Promise<void> {
    const deadline = performance.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.connection(deadline);
        return;
      } catch (error) {
        if (await this.retryAfterRefusal(error, attempt)) continue;
        throw this.connectFailure(error, 'connect to');
      }
    }
  }

  isNoScript(error: unknown): boolean {
    return error instanceof RespError && error.message.startsWith('NOSCRIPT');
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connectionNow;
    this.connectionNow = undefined;
    connection?.destroy();
  }

  private script(command: 'EVALSHA' | 'EVAL', script: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.send(
      (w) => {
        w.arrayHeader(3 + keys.length + args.length);
        w.text(command);
        w.text(script);
        w.text(String(keys.length));
        for (const key of keys) w.text(key);
        for (const arg of args) w.arg(arg);
      },
      1,
      (reader) => reader.value(),
    );
  }

  /** The URL, read from its secret source when it has one (cached there for the container). */
  private async resolveUrl(): Promise<string> {
    const source = this.options.url;
    if (typeof source === 'string') return source;
    const url = (await source.get()).trim();
    checkRedisUrl(url, source.description, this.options.tls);
    return url;
  }

  /** The shared connection, opened on first use and again after it broke or a call gave up on it. */
  private async connection(deadline: number): Promise<RespConnection> {
    if (this.closed) throw new StateStoreError('redis state store is closed');
    if (this.connectionNow?.alive) return this.connectionNow;
    this.opening ??= this.open(deadline).finally(() => {
      this.opening = undefined;
    });
    return withDeadline(this.opening, Math.max(1, Math.ceil(deadline - performance.now())));
  }

  /**
   * Connects, retrying a refused or failed connection (50 ms doubling to 1 s between attempts)
   * until `deadline`: Redis may be restarting. A refused login or certificate is different:
   * retrying the same credentials cannot succeed, so the attempt ends and the caller says why.
   */
  private async open(deadline: number): Promise<RespConnection> {
    const url = await this.resolveUrl();
    this.url = url;
    const { secure, ...parts } = parseRedisUrl(url);
    const tls = this.options.tls;
    const endpoint: RespEndpoint = {
      ...parts,
      tls: secure ? (tls !== undefined ? tlsClientOptions(tls, tls.insecureSkipVerify === true, REDIS_TLS_SETTINGS) : {}) : undefined,
      name: this.options.clientName ?? 'dspfn',
      connectTimeoutMs: Math.min(this.timeoutMs, 5_000),
    };
    for (let retries = 0; ; retries++) {
      if (this.closed) throw new StateStoreError('redis state store is closed');
      try {
        const connection = await RespConnection.open(endpoint);
        if (this.closed) {
          connection.destroy();
          throw new StateStoreError('redis state store is closed');
        }
        connection.onClose((error) => {
          if (this.connectionNow === connection) this.connectionNow = undefined;
          this.connectionFailed(error);
        });
        // Probes idle connections while the process runs. A frozen container probes nothing, so a
        // socket that died meanwhile is handled by send()'s retry and deadline.
        connection.keepAlive(10_000);
        this.connectionNow = connection;
        this.lastConnectionError = undefined;
        return connection;
      } catch (error) {
        this.connectionFailed(error);
        if (error instanceof StateStoreError || error instanceof RespError || this.failureOf(error)) throw error;
        const wait = Math.min(50 * 2 ** retries, RETRY_MAX_MS);
        // Out of time: the caller reports the deadline, with this error as the last one.
        if (performance.now() + wait >= deadline) throw new DeadlineExceeded();
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private connectionFailed(error: unknown): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.lastConnectionError = this.failureOf(cause)?.message ?? safeMessage(cause);
    this.options.onConnectionError?.(cause);
  }

  private drop(connection: RespConnection): void {
    if (this.connectionNow === connection) this.connectionNow = undefined;
    connection.destroy();
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
  private async retryAfterRefusal(error: unknown, attempt: number): Promise<boolean> {
    if (error instanceof DeadlineExceeded) return false;
    const source = this.options.url;
    if (attempt > 0 || typeof source === 'string' || !this.failureOf(error)?.credentialsRefused) return false;
    return source.refresh().catch(() => false);
  }

  private connectFailure(error: unknown, verb: 'connect to' | 'reach'): StateStoreError {
    if (error instanceof DeadlineExceeded) return new StateStoreError(`could not ${verb} Redis within ${this.timeoutMs} ms${this.lastError()}`);
    if (error instanceof StateStoreError) return error;
    const failure = this.failureOf(error);
    const source = typeof this.options.url === 'string' ? '' : ` (URL from ${this.options.url.description})`;
    if (failure) return new StateStoreError(`${failure.message}${source}`);
    if (verb === 'reach') return new StateStoreError(`Redis connection failed: ${safeMessage(error)}${source}${this.lastError()}`);
    return new StateStoreError(`could not connect to Redis: ${safeMessage(error)}${source}`);
  }

  /**
   * One request, retried once when the connection broke under it: a socket that went stale while
   * the container was frozen fails the request in flight, and the retry runs on a new connection.
   * Retrying a commit is safe: a commit already applied comes back 'duplicate'. A request of
   * several commands (a load's MGET and EXISTS) is written at once: one round trip.
   */
  private async send<T>(encode: (writer: RespWriter) => void, replies: number, read: ReplyRead<T>): Promise<T> {
    const deadline = performance.now() + this.timeoutMs;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let connection: RespConnection;
      try {
        connection = await this.connection(deadline);
      } catch (error) {
        if (!refreshed && (await this.retryAfterRefusal(error, 0))) {
          refreshed = true;
          attempt--;
          continue;
        }
        throw this.connectFailure(error, 'reach');
      }
      const writer = this.spareWriter ?? new RespWriter();
      this.spareWriter = undefined;
      writer.reset();
      encode(writer);
      const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
      try {
        const reply = await withDeadline(connection.request(writer.chunks(), replies, read), remaining);
        // Answered, so every byte was sent: the buffer can take the next command.
        this.spareWriter = writer;
        return reply;
      } catch (error) {
        if (error instanceof RespError) {
          this.spareWriter = writer;
          throw error;
        }
        if (error instanceof StateStoreError) {
          // A reply that did not parse (a corrupt value): it was answered, so the buffer is free.
          this.spareWriter = writer;
          throw error;
        }
        if (error instanceof DeadlineExceeded) {
          // Later requests would queue behind the unanswered one on the same socket: replace the
          // connection so the next call starts clean.
          this.drop(connection);
          throw new StateStoreError(`Redis did not answer within ${this.timeoutMs} ms${this.lastError()}`);
        }
        if (!(error instanceof RespConnectionError || error instanceof RespProtocolError)) throw error;
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
