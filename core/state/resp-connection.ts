import net from 'node:net';
import tls from 'node:tls';
import { ReplyReader, ReplyScanner, RespError, RespProtocolError, RespWriter } from './resp.ts';

/**
 * One connection to Redis speaking RESP2 (resp.ts), for the state store: requests are written as
 * the caller encoded them and read from one receive buffer reused for every reply, each by its own
 * reader, in order (requests may be pipelined). The handshake (AUTH, CLIENT SETNAME, SELECT) is
 * one round trip. Reconnecting, deadlines and retries are the store's (redis.ts): a connection
 * that failed stays failed.
 */
export interface RespEndpoint {
  readonly host: string;
  readonly port: number;
  /** TLS options for rediss://; undefined for plain TCP. */
  readonly tls: tls.ConnectionOptions | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  /** CLIENT SETNAME. */
  readonly name: string;
  readonly connectTimeoutMs: number;
}

/** The parts of a redis:// or rediss:// URL, parsed as node-redis does (user and password URL-decoded). */
export function parseRedisUrl(url: string): Pick<RespEndpoint, 'host' | 'port' | 'username' | 'password' | 'db'> & { secure: boolean } {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'rediss:';
  if (!secure && parsed.protocol !== 'redis:') throw new TypeError('not a redis:// or rediss:// URL');
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0) throw new TypeError('the database in the URL path is not a number');
  return {
    host: parsed.hostname.replace(/^\[([0-9a-f:]+)\]$/i, '$1') || 'localhost',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db,
    secure,
  };
}

/** Reads one request's replies, `bytes[at, end)`, while they are in the receive buffer. */
export type ReplyRead<T> = (reader: ReplyReader, end: number) => T;

interface Pending {
  readonly replies: number;
  readonly read: ReplyRead<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The connection closed or failed; `cause` says how. */
export class RespConnectionError extends Error {
  override readonly name = 'RespConnectionError';
}

/** The receive buffer is given back to the allocator above this (a large reply passed). */
const KEEP_BYTES = 16 * 1024 * 1024;

export class RespConnection {
  private readonly pending: Pending[] = [];
  private readonly scanner = new ReplyScanner();
  /** Whether the scanner is looking at the first pending request's replies. */
  private scanning = false;
  private buffer = Buffer.allocUnsafe(64 * 1024);
  /** Received bytes are buffer[0, received); the first pending reply starts at 0. */
  private received = 0;
  private failure: Error | undefined;
  private readonly closeListeners: Array<(error: Error) => void> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) => this.fail(error));
    socket.on('close', () => this.fail(new RespConnectionError('the connection closed')));
  }

  /**
   * Connects, and runs the handshake, both within connectTimeoutMs (a server that accepts and then
   * says nothing fails too); rejects with Redis's reply (e.g. WRONGPASS) or the socket's error.
   */
  static open(endpoint: RespEndpoint): Promise<RespConnection> {
    return new Promise<RespConnection>((resolve, reject) => {
      const options = { host: endpoint.host, port: endpoint.port };
      const socket = endpoint.tls !== undefined ? tls.connect({ ...endpoint.tls, ...options }) : net.connect(options);
      const timer = setTimeout(() => socket.destroy(new RespConnectionError(`connection timeout (${endpoint.connectTimeoutMs} ms)`)), endpoint.connectTimeoutMs);
      const early = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', early);
      socket.once(endpoint.tls !== undefined ? 'secureConnect' : 'connect', () => {
        socket.off('error', early);
        const connection = new RespConnection(socket);
        connection.handshake(endpoint).then(
          () => {
            clearTimeout(timer);
            resolve(connection);
          },
          (error: unknown) => {
            clearTimeout(timer);
            connection.destroy();
            reject(error);
          },
        );
      });
    });
  }

  /** Whether requests can still be sent. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  /** TCP keep-alive probes after `idleMs` without traffic. */
  keepAlive(idleMs: number): void {
    this.socket.setKeepAlive(true, idleMs);
  }

  /** Called once when the connection fails or closes (not after destroy()). */
  onClose(listener: (error: Error) => void): void {
    this.closeListeners.push(listener);
  }

  /**
   * Writes `chunks` (one or more complete commands) and resolves with what `read` makes of the
   * `replies` replies, read while they are in the receive buffer (so `read` must copy what it
   * keeps). An error reply among them rejects with that RespError.
   */
  request<T>(chunks: readonly Uint8Array[], replies: number, read: ReplyRead<T>): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ replies, read, resolve: resolve as (value: unknown) => void, reject });
      const socket = this.socket;
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    });
  }

  /** Sends `commands` and resolves with their replies as values (errors as RespError objects). */
  commands(commands: ReadonlyArray<ReadonlyArray<string | Buffer>>): Promise<unknown[]> {
    const writer = new RespWriter(1024);
    for (const command of commands) writer.command(command);
    return this.request(writer.chunks(), commands.length, (reader) => commands.map(() => reader.value()));
  }

  destroy(): void {
    this.closeListeners.length = 0;
    this.fail(new RespConnectionError('the connection was closed by the client'));
  }

  private async handshake(endpoint: RespEndpoint): Promise<void> {
    const commands: string[][] = [];
    if (endpoint.username !== undefined || endpoint.password !== undefined) {
      commands.push(endpoint.username !== undefined ? ['AUTH', endpoint.username, endpoint.password ?? ''] : ['AUTH', endpoint.password ?? '']);
    }
    commands.push(['CLIENT', 'SETNAME', endpoint.name]);
    if (endpoint.db !== 0) commands.push(['SELECT', String(endpoint.db)]);
    // Pipelined: when AUTH is refused the rest fail too (NOAUTH) or run as the default user, and
    // the connection is dropped either way.
    const replies = await this.commands(commands);
    const refused = replies.find((reply) => reply instanceof RespError);
    if (refused !== undefined) throw refused;
  }

  private onData(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    const needed = this.received + chunk.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.received);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.received);
    this.received = needed;
    try {
      this.readReplies();
    } catch (error) {
      this.fail(error instanceof Error ? error : new RespProtocolError(String(error)));
    }
  }

  private readReplies(): void {
    for (;;) {
      const head = this.pending[0];
      if (head === undefined) {
        if (this.received > 0) throw new RespProtocolError('Redis sent a reply nothing asked for');
        return;
      }
      if (!this.scanning) {
        this.scanner.begin(0, head.replies);
        this.scanning = true;
      }
      if (!this.scanner.scan(this.buffer, this.received)) return;
      const end = this.scanner.at;
      this.pending.shift();
      this.scanning = false;
      try {
        const reader = new ReplyReader(this.buffer, 0, end);
        const first = head.replies === 1 ? peekError(this.buffer) : undefined;
        head.resolve(first ?? head.read(reader, end));
      } catch (error) {
        if (error instanceof RespProtocolError) throw error;
        head.reject(error);
      }
      // The next reply may have begun in the same chunk: it moves to the start.
      if (end < this.received) this.buffer.copy(this.buffer, 0, end, this.received);
      this.received -= end;
      if (this.received === 0 && this.buffer.length > KEEP_BYTES) this.buffer = Buffer.allocUnsafe(64 * 1024);
    }
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error instanceof RespConnectionError || error instanceof RespProtocolError ? error : new RespConnectionError(error.message, { cause: error });
    this.socket.destroy();
    for (const request of this.pending.splice(0)) request.reject(this.failure);
    for (const listener of this.closeListeners.splice(0)) listener(this.failure);
  }
}

/** A lone error reply, thrown by the request: resolve() of a RespError would look like a value. */
function peekError(bytes: Buffer): undefined {
  if (bytes[0] === 0x2d) throw new RespError(bytes.toString('utf8', 1, bytes.indexOf(0x0d, 1)));
  return undefined;
}
