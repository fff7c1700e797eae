/**
 * A local stand-in for Upstash's Redis REST API, in front of a real Redis, so
 * the unmodified `@upstash/redis` client can be tested without the hosted
 * service.
 *
 * Wire protocol (as used by @upstash/redis 1.39, see its pkg/http.ts):
 * - `POST /` body `["CMD", "arg", …]` → `{"result": …}`; a Redis error is
 *   `{"error": "…"}` with HTTP 400.
 * - `POST /pipeline` body `[[cmd…], …]` → `[{"result"}|{"error"}, …]` (HTTP 200
 *   even when some commands failed; they are not atomic).
 * - `POST /multi-exec`: the same shapes, run in one MULTI/EXEC.
 * - `Upstash-Encoding: base64`: every string in a result is base64 of its
 *   bytes, except a top-level "OK" status, which the client special-cases.
 * - `Authorization: Bearer <token>` (or `?_token=`), 401 otherwise.
 * - Path style `GET|POST /cmd/arg/…` (a POST body is the last argument).
 *
 * Run it by hand or from docker-compose:
 *   npx tsx test/servers/upstash-proxy.ts --redis redis://127.0.0.1:6379 --port 8079 --token T
 */
import { timingSafeEqual } from "node:crypto";
import { realpathSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createClient, ErrorReply, MultiErrorReply, RESP_TYPES } from "@redis/client";

export interface UpstashProxyOptions {
  redisUrl: string;
  token: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Defaults to 127.0.0.1; use 0.0.0.0 inside a container. */
  host?: string;
  /** Called for Redis connection errors; they are otherwise swallowed because the client reconnects on its own. */
  onRedisError?: (error: Error) => void;
  /**
   * How long to wait for the first Redis connection; default 10 s so a wrong
   * URL fails a test run instead of hanging it. Infinity waits for good.
   */
  connectTimeoutMs?: number;
}

export interface UpstashProxy {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** A RESP2 reply with bulk strings kept as Buffers so binary data survives. */
type RedisReply = null | number | string | Buffer | ErrorReply | RedisReply[];

type JsonValue = null | number | string | JsonValue[];

type CommandOutcome = { result: JsonValue } | { error: string };

/** Redis errors go back as 400 like Upstash; everything else is a transport-level failure. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Commands that would change the state of the one shared connection (and so
 * leak into other requests), or need a streaming response. Upstash likewise
 * offers transactions only through /multi-exec.
 */
const CONNECTION_STATE_COMMANDS = new Set([
  "multi", "exec", "discard", "watch", "unwatch", "select", "auth", "hello", "reset", "quit",
  "client", "monitor", "sync", "psync", "replconf",
  "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
]);

/** Commands that may block the server connection; each gets its own connection so it can't stall other requests. */
const BLOCKING_COMMANDS = new Set([
  "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "wait", "waitaof",
]);

function isBlocking(args: readonly string[]): boolean {
  const name = (args[0] ?? "").toLowerCase();
  if (BLOCKING_COMMANDS.has(name)) return true;
  return (name === "xread" || name === "xreadgroup") && args.some((a) => a.toLowerCase() === "block");
}

function toArgs(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new HttpError(400, "ERR failed to parse command: expected a non-empty JSON array");
  }
  return raw.map((value: unknown) => {
    // The client sends numbers and booleans unquoted (its serializer only stringifies objects).
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new HttpError(400, "ERR failed to parse command: arguments must be strings, numbers or booleans");
  });
}

function toCommandList(raw: unknown): string[][] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new HttpError(400, "ERR failed to parse pipeline request: expected a non-empty JSON array of commands");
  }
  return raw.map((command: unknown) => toArgs(command));
}

function rejectStateful(args: readonly string[]): string | undefined {
  const name = (args[0] ?? "").toLowerCase();
  if (CONNECTION_STATE_COMMANDS.has(name)) {
    return `ERR Command is not allowed: ${name}` + (name === "multi" || name === "exec" ? " (use /multi-exec)" : "");
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Maps a Redis reply to Upstash's JSON. In base64 mode the client base64-decodes
 * every string except a top-level "OK", so nested statuses must be encoded too.
 */
function toJson(reply: RedisReply, base64: boolean, topLevel: boolean): JsonValue {
  if (reply === null || typeof reply === "number") return reply;
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString("base64") : reply.toString("utf8");
  if (typeof reply === "string") {
    if (!base64 || (topLevel && reply === "OK")) return reply;
    return Buffer.from(reply, "utf8").toString("base64");
  }
  if (reply instanceof ErrorReply) {
    // Only reachable nested (e.g. a Lua table holding an error); Upstash has no shape for it, so keep the message.
    return base64 ? Buffer.from(reply.message, "utf8").toString("base64") : reply.message;
  }
  return reply.map((element) => toJson(element, base64, false));
}

function outcome(reply: RedisReply, base64: boolean): CommandOutcome {
  if (reply instanceof ErrorReply) return { error: reply.message };
  return { result: toJson(reply, base64, true) };
}

/**
 * "shared" is the one long-lived connection behind every request. "blocking" is
 * a throwaway connection for one blocking command: no reconnects, no timeout.
 */
function createRedisClient(redisUrl: string, kind: "shared" | "blocking") {
  const shared = kind === "shared";
  return createClient({
    url: redisUrl,
    RESP: 2,
    // Fail requests fast while Redis is down instead of queueing them, so fault
    // tests see errors rather than hung HTTP requests; reconnect quickly so they
    // see recovery soon after Redis is back.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: shared ? (retries: number) => Math.min(25 * 2 ** retries, 500) : false,
    },
    commandOptions: {
      // Bulk strings as Buffers so binary values survive to the base64 encoder.
      typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
      // node-redis defaults to 5 s: too short for a slow Lua script on a busy CI
      // box, and a blocking command may legitimately wait longer than any limit.
      timeout: shared ? 30_000 : 0,
    },
  });
}

type ProxyRedisClient = ReturnType<typeof createRedisClient>;

/** Turns a rejected command into a reply: Redis errors stay per-command, anything else means Redis is unreachable. */
function settle(promise: Promise<RedisReply>): Promise<RedisReply> {
  return promise.catch((error: unknown) => {
    if (error instanceof ErrorReply) return error;
    throw new HttpError(503, `ERR Redis is unavailable: ${errorText(error)}`);
  });
}

class Executor {
  constructor(
    private readonly client: ProxyRedisClient,
    private readonly options: UpstashProxyOptions,
  ) {}

  private assertReady(): void {
    if (!this.client.isReady) throw new HttpError(503, "ERR Redis is unavailable: not connected");
  }

  async single(args: string[]): Promise<RedisReply> {
    const refused = rejectStateful(args);
    if (refused !== undefined) return new ErrorReply(refused);
    this.assertReady();
    if (isBlocking(args)) return this.isolated(args);
    return settle(this.client.sendCommand<RedisReply>(args));
  }

  async pipeline(commands: string[][]): Promise<RedisReply[]> {
    this.assertReady();
    // Issued together so node-redis writes them back to back, like a Redis pipeline.
    const pending = commands.map((args) => {
      const refused = rejectStateful(args);
      if (refused !== undefined) return Promise.resolve<RedisReply>(new ErrorReply(refused));
      if (isBlocking(args)) return this.isolated(args);
      return settle(this.client.sendCommand<RedisReply>(args));
    });
    return Promise.all(pending);
  }

  async multiExec(commands: string[][]): Promise<RedisReply[]> {
    for (const args of commands) {
      const refused = rejectStateful(args);
      if (refused !== undefined) throw new HttpError(400, refused);
    }
    this.assertReady();
    const multi = this.client.multi();
    for (const args of commands) multi.addCommand(args);
    try {
      // node-redis types replies for RESP3 too; over RESP2 only the RedisReply shapes can arrive.
      return (await multi.exec()) as unknown as RedisReply[];
    } catch (error: unknown) {
      // Runtime errors inside EXEC don't roll anything back; report them per command like Upstash.
      if (error instanceof MultiErrorReply) return error.replies as RedisReply[];
      // A command rejected while queueing aborts the whole transaction (EXECABORT): nothing ran.
      if (error instanceof ErrorReply) {
        throw new HttpError(400, `EXECABORT Transaction discarded because of previous errors: ${error.message}`);
      }
      throw new HttpError(503, `ERR Redis is unavailable: ${errorText(error)}`);
    }
  }

  private async isolated(args: string[]): Promise<RedisReply> {
    const own = createRedisClient(this.options.redisUrl, "blocking");
    own.on("error", (error: Error) => this.options.onRedisError?.(error));
    try {
      await own.connect().catch((error: unknown) => {
        throw new HttpError(503, `ERR Redis is unavailable: ${errorText(error)}`);
      });
      return await settle(own.sendCommand<RedisReply>(args));
    } finally {
      if (own.isOpen) own.destroy();
    }
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "ERR request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new HttpError(400, "ERR failed to parse request body as JSON");
  }
}

function send(res: http.ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

function tokenMatches(expected: Buffer, given: string | undefined): boolean {
  if (given === undefined) return false;
  const candidate = Buffer.from(given, "utf8");
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

function presentedToken(req: http.IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match?.[1];
  }
  return url.searchParams.get("_token") ?? undefined;
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  executor: Executor,
  expectedToken: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (!tokenMatches(expectedToken, presentedToken(req, url))) {
    send(res, 401, { error: "Unauthorized" });
    return;
  }
  if (req.method !== "POST" && req.method !== "GET") {
    send(res, 405, { error: "ERR method not allowed" });
    return;
  }
  const base64 = (req.headers["upstash-encoding"] ?? "").toString().toLowerCase() === "base64";
  const body = await readBody(req);
  const path = url.pathname.replace(/\/+$/, "");

  if (path === "/pipeline" || path === "/multi-exec") {
    if (req.method !== "POST") throw new HttpError(405, "ERR method not allowed");
    const commands = toCommandList(parseJson(body));
    const replies = path === "/pipeline" ? await executor.pipeline(commands) : await executor.multiExec(commands);
    send(res, 200, replies.map((reply) => outcome(reply, base64)));
    return;
  }

  let args: string[];
  if (path === "") {
    args = toArgs(parseJson(body));
  } else {
    args = path.slice(1).split("/").map((segment) => decodeURIComponent(segment));
    if (body.length > 0) args.push(body.toString("utf8"));
  }
  const name = (args[0] ?? "").toLowerCase();
  if (name === "subscribe" || name === "psubscribe") {
    // The client streams these as text/event-stream; nothing in dspfn subscribes.
    throw new HttpError(501, "ERR subscribe over REST is not supported by this proxy");
  }
  const result = outcome(await executor.single(args), base64);
  send(res, "error" in result ? 400 : 200, result);
}

/** node-redis retries the first connection forever, so bound it here. */
async function connectWithin(client: ProxyRedisClient, timeoutMs: number, redisUrl: string): Promise<void> {
  if (!Number.isFinite(timeoutMs)) {
    await client.connect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`could not connect to Redis at ${redisUrl} within ${timeoutMs} ms`)), timeoutMs);
  });
  const connecting = client.connect();
  try {
    await Promise.race([connecting, timedOut]);
  } catch (error: unknown) {
    connecting.catch(() => undefined);
    if (client.isOpen) client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the proxy; resolves once Redis is connected and the port is listening. */
export async function startUpstashProxy(options: UpstashProxyOptions): Promise<UpstashProxy> {
  if (options.token.length === 0) throw new Error("startUpstashProxy: token must not be empty");
  const client = createRedisClient(options.redisUrl, "shared");
  client.on("error", (error: Error) => options.onRedisError?.(error));
  await connectWithin(client, options.connectTimeoutMs ?? 10_000, options.redisUrl);

  const executor = new Executor(client, options);
  const expectedToken = Buffer.from(options.token, "utf8");
  const server = http.createServer((req, res) => {
    handle(req, res, executor, expectedToken).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      send(res, status, { error: errorText(error) });
    });
  });

  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error: unknown) {
    client.destroy();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    token: options.token,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // The client keeps connections alive; without this close() would wait for them to time out.
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 1000).unref();
        });
        if (client.isOpen) client.destroy();
      })();
      return closing;
    },
  };
}

interface CliOptions {
  redisUrl: string;
  port: number;
  host: string;
  token: string;
}

function parseCli(argv: readonly string[]): CliOptions {
  const env = process.env;
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(
        "usage: upstash-proxy [--redis URL] [--port N] [--host H] [--token T]\n" +
          "  env fallbacks: REDIS_URL, UPSTASH_PROXY_PORT, UPSTASH_PROXY_HOST, UPSTASH_REDIS_REST_TOKEN\n",
      );
      process.exit(0);
    }
    if (!["--redis", "--port", "--host", "--token"].includes(flag)) throw new Error(`unknown argument: ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    values.set(flag, value);
  }
  const token = values.get("--token") ?? env.UPSTASH_REDIS_REST_TOKEN;
  if (token === undefined || token === "") throw new Error("--token (or UPSTASH_REDIS_REST_TOKEN) is required");
  const port = Number(values.get("--port") ?? env.UPSTASH_PROXY_PORT ?? "8079");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${String(port)}`);
  return {
    redisUrl: values.get("--redis") ?? env.REDIS_URL ?? "redis://127.0.0.1:6379",
    port,
    host: values.get("--host") ?? env.UPSTASH_PROXY_HOST ?? "127.0.0.1",
    token,
  };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  let lastError = "";
  const proxy = await startUpstashProxy({
    ...cli,
    // docker-compose may start the proxy before Redis accepts connections.
    connectTimeoutMs: Infinity,
    onRedisError: (error) => {
      // Reconnect attempts repeat the same error many times a second.
      if (error.message !== lastError) process.stderr.write(`upstash-proxy: redis: ${error.message}\n`);
      lastError = error.message;
    },
  });
  process.stdout.write(`upstash-proxy: listening on ${proxy.url} -> ${cli.redisUrl}\n`);
  const shutdown = (): void => {
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main().catch((error: unknown) => {
    process.stderr.write(`upstash-proxy: ${errorText(error)}\n`);
    process.exit(1);
  });
}
