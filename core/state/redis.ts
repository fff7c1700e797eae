import type { createClient } from '@redis/client';
import { describeError, StateStoreError } from '../errors.ts';
import { packageExports } from '../lazy-import.ts';
import type { ScriptTransport } from './commit-script.ts';
import type { StateLayoutOptions } from './redis-layout.ts';
import { ScriptStateStore, safeMessage } from './script-store.ts';

export interface RedisStateStoreOptions extends StateLayoutOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  url: string;
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

function createRedisClient(lib: RedisLibrary, url: string, timeoutMs: number, name: string): ReturnType<typeof createClient> {
  return lib.createClient({
    url,
    name,
    RESP: 2,
    socket: {
      // Probes idle connections while the process runs. A frozen container probes nothing, so a
      // socket that died meanwhile is handled by send()'s retry and deadline. TLS and credentials
      // come from the URL.
      keepAlive: true,
      keepAliveInitialDelay: 10_000,
      connectTimeout: Math.min(timeoutMs, 5_000),
      // Never give up: a warm container outlives any Redis outage. Calls are bounded by timeoutMs instead.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
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

  constructor(private readonly options: RedisStateStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new StateStoreError(`redis state timeoutMs must be > 0, got ${this.timeoutMs}`);
    // Started now, awaited by the first call: the load overlaps the rest of the invocation's setup.
    redisLibrary().catch(() => undefined);
  }

  async evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return (await this.send([['EVALSHA', sha1, String(keys.length), ...keys, ...args]]))[0];
  }

  async eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return (await this.send([['EVAL', source, String(keys.length), ...keys, ...args]]))[0];
  }

  async mgetExists(keys: readonly string[]): Promise<[unknown, unknown]> {
    const [values, existing] = await this.send([['MGET', ...keys], ['EXISTS', ...keys]]);
    return [values, existing];
  }

  /** Connects (handshake included) now; a later call reuses the connection. */
  async warm(): Promise<void> {
    const lib = await this.library();
    this.connection(lib);
    try {
      await withDeadline(this.ready, this.timeoutMs);
    } catch {
      throw new StateStoreError(`could not connect to Redis within ${this.timeoutMs} ms${this.lastError()}`);
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

  /** The shared connection, created on first use and again after a call gave up on it. */
  private connection(lib: RedisLibrary): Client {
    if (this.closed) throw new StateStoreError('redis state store is closed');
    if (this.client) return this.client;
    const client = createRedisClient(lib, this.options.url, this.timeoutMs, this.options.clientName ?? 'dspfn');
    client.on('error', (error: Error) => {
      this.lastConnectionError = error.message;
      this.options.onConnectionError?.(error);
    });
    client.on('ready', () => {
      this.lastConnectionError = undefined;
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
    client.destroy();
  }

  /**
   * One command, retried once when the connection broke under it: a socket that went stale while
   * the container was frozen fails the command in flight, and the retry runs on the reconnected
   * one. Retrying a commit is safe: a commit already applied comes back 'duplicate'. Several
   * commands are issued in the same tick, which node-redis writes together: one round trip.
   */
  private async send(commands: ReadonlyArray<readonly string[]>): Promise<unknown[]> {
    const deadline = performance.now() + this.timeoutMs;
    const lib = await this.library();
    for (let attempt = 0; ; attempt++) {
      const client = this.connection(lib);
      try {
        await withDeadline(this.ready, Math.max(1, Math.ceil(deadline - performance.now())));
      } catch {
        // The client keeps trying in the background; the next call waits for the same connection.
        throw new StateStoreError(`could not connect to Redis within ${this.timeoutMs} ms${this.lastError()}`);
      }
      const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
      try {
        return await withDeadline(Promise.all(commands.map((args) => client.sendCommand(args, { timeout: remaining }))), remaining);
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

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), ms);
  });
  // The loser must not become an unhandled rejection once the deadline has won.
  promise.catch(() => undefined);
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
