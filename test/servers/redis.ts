/**
 * Real Redis servers for tests, driven through redis/redis.sh, plus a vitest
 * globalSetup that provides one Redis and one Upstash-compatible proxy in front
 * of it to every test file.
 *
 * The shared Redis also serves TLS on a second port with this run's throwaway CA
 * (test/servers/tls.ts) and has an ACL user allowed only what dspfn's state store
 * needs: `inject("redisSecure")`.
 *
 * Set DSPFN_TEST_REDIS_URL (and optionally DSPFN_TEST_UPSTASH_URL with
 * DSPFN_TEST_UPSTASH_TOKEN) before running vitest to use servers you started
 * yourself, e.g. from docker-compose, instead; the TLS side then comes from
 * DSPFN_TEST_REDIS_SECURE (JSON of RedisSecureServer).
 */
/// <reference path="./provided-redis.d.ts" />
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@redis/client";
import type { TestProject } from "vitest/node";
import { testCertificates } from "./tls.ts";
import { startUpstashProxy, type UpstashProxy } from "./upstash-proxy.js";

/** The TLS port of the shared Redis and its least-privilege ACL user. */
export interface RedisSecureServer {
  /** rediss://USER:PASSWORD@127.0.0.1:TLS_PORT */
  url: string;
  tlsPort: number;
  username: string;
  password: string;
  /** The only key prefix the user may touch. */
  prefix: string;
  /** The run's certificates (test/servers/tls/certs.sh). */
  tlsDir: string;
}

/**
 * What RedisStateStore sends and its scripts call (core/state/commit-script.ts and
 * window-load-script.ts), nothing else: AUTH and CLIENT SETNAME on connect, MGET and EXISTS for a
 * load, EVALSHA/EVAL, and inside the scripts MGET, EXISTS, GET, SET, MSET, TYPE, HMGET and HGET, on
 * keys under the prefix only. Any command or key outside this is NOPERM.
 */
export const STATE_USER_RULES = ["resetkeys", "~dspfn:*", "resetchannels", "-@all", "+ping", "+client|setname", "+evalsha", "+eval", "+mget", "+exists", "+get", "+set", "+mset", "+type", "+hmget", "+hget"];

/** Creates (or resets) an ACL user; the password goes over as its SHA-256, never in clear. */
export async function createAclUser(url: string, username: string, password: string, rules: readonly string[] = STATE_USER_RULES): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    const hash = createHash("sha256").update(password).digest("hex");
    await client.sendCommand(["ACL", "SETUSER", username, "reset", "on", `#${hash}`, ...rules]);
  } finally {
    client.destroy();
  }
}

const SCRIPT = fileURLToPath(new URL("./redis/redis.sh", import.meta.url));

export interface RedisServer {
  url: string;
  port: number;
  /** With `tlsDir`: the TLS port of the same server. */
  tlsPort?: number;
  /** Holds the pid file and log of this server. */
  dir: string;
  /** Shuts the server down for good and removes its directory. */
  stop(): Promise<void>;
  /**
   * Shuts the server down (clients see their connections drop) but keeps its
   * port and directory for restart(). For fault tests.
   */
  halt(): Promise<void>;
  /** Starts it again on the same port; it comes back empty (no persistence). */
  restart(): Promise<void>;
}

function runScript(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", [SCRIPT, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim() || stdout.trim() || error.message;
        reject(new Error(`redis.sh ${args.join(" ")} failed: ${detail}`));
        return;
      }
      resolve(stdout);
    });
  });
}

/** Installs Debian's redis-server when it is missing (needs root or passwordless sudo). */
export async function ensureRedisServer(): Promise<void> {
  // apt-get update + install on a cold machine; generous because mirrors vary.
  await runScript(["ensure"], 10 * 60_000);
}

/**
 * Starts redis-server with its state in `dir` (on `port`, else a free one; with `tlsDir` also TLS
 * on `tlsPort`, else a free one); resolves to the port(s) once it answers PING.
 */
export async function startRedisServer(options: { dir: string; port?: number; tlsDir?: string; tlsPort?: number }): Promise<{ port: number; tlsPort?: number }> {
  const args = ["start", "--dir", options.dir];
  if (options.port !== undefined) args.push("--port", String(options.port));
  if (options.tlsDir !== undefined) args.push("--tls-dir", options.tlsDir);
  if (options.tlsPort !== undefined) args.push("--tls-port", String(options.tlsPort));
  const stdout = await runScript(args, 60_000);
  const lines = stdout.trim().split("\n");
  const port = Number(lines.pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`redis.sh start printed no port: ${JSON.stringify(stdout)}`);
  if (options.tlsDir === undefined) return { port };
  const tlsPort = Number(lines.find((l) => l.startsWith("tls="))?.slice(4));
  if (!Number.isInteger(tlsPort) || tlsPort <= 0) throw new Error(`redis.sh start printed no TLS port: ${JSON.stringify(stdout)}`);
  return { port, tlsPort };
}

/** Shuts down the redis-server started with `dir`; a no-op when it is not running. */
export async function stopRedisServer(dir: string): Promise<void> {
  await runScript(["stop", "--dir", dir], 30_000);
}

/**
 * Starts a fresh, empty Redis on 127.0.0.1 in a new temp dir (plus a TLS port with `tlsDir`).
 * Call ensureRedisServer() first on a fresh machine.
 */
export async function startRedis(options: { tlsDir?: string } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "dspfn-redis-"));
  let port: number;
  let tlsPort: number | undefined;
  try {
    ({ port, tlsPort } = await startRedisServer({ dir, ...options }));
  } catch (error: unknown) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    ...(tlsPort !== undefined ? { tlsPort } : {}),
    dir,
    async stop() {
      await stopRedisServer(dir);
      await rm(dir, { recursive: true, force: true });
    },
    halt: () => stopRedisServer(dir),
    async restart() {
      await startRedisServer({ dir, port, ...(tlsPort !== undefined ? { tlsDir: options.tlsDir!, tlsPort } : {}) });
    },
  };
}

const ENV_REDIS_URL = "DSPFN_TEST_REDIS_URL";
const ENV_UPSTASH_URL = "DSPFN_TEST_UPSTASH_URL";
const ENV_UPSTASH_TOKEN = "DSPFN_TEST_UPSTASH_TOKEN";
const ENV_REDIS_SECURE = "DSPFN_TEST_REDIS_SECURE";

/** vitest globalSetup: one Redis and one Upstash proxy for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const savedEnv = {
    [ENV_REDIS_URL]: process.env[ENV_REDIS_URL],
    [ENV_UPSTASH_URL]: process.env[ENV_UPSTASH_URL],
    [ENV_UPSTASH_TOKEN]: process.env[ENV_UPSTASH_TOKEN],
  };
  const external = {
    redisUrl: savedEnv[ENV_REDIS_URL],
    upstashUrl: savedEnv[ENV_UPSTASH_URL],
    upstashToken: savedEnv[ENV_UPSTASH_TOKEN],
  };

  let redis: RedisServer | undefined;
  let proxy: UpstashProxy | undefined;
  const teardown = async (): Promise<void> => {
    // Proxy first: it holds a connection to Redis and would log the shutdown as an outage.
    try {
      await proxy?.close();
    } finally {
      await redis?.stop();
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };

  try {
    let redisUrl = external.redisUrl;
    let secure: RedisSecureServer | null = null;
    if (redisUrl === undefined || redisUrl === "") {
      await ensureRedisServer();
      const certificates = await testCertificates();
      redis = await startRedis({ tlsDir: certificates.dir });
      redisUrl = redis.url;
      const username = "dspfn-state";
      const password = randomBytes(18).toString("base64url");
      await createAclUser(redisUrl, username, password);
      secure = {
        url: `rediss://${username}:${password}@127.0.0.1:${redis.tlsPort}`,
        tlsPort: redis.tlsPort!,
        username,
        password,
        prefix: "dspfn:",
        tlsDir: certificates.dir,
      };
    } else if (process.env[ENV_REDIS_SECURE]) {
      secure = JSON.parse(process.env[ENV_REDIS_SECURE]) as RedisSecureServer;
    }

    let upstashUrl = external.upstashUrl;
    let upstashToken = external.upstashToken;
    if (upstashUrl === undefined || upstashUrl === "" || upstashToken === undefined || upstashToken === "") {
      proxy = await startUpstashProxy({ redisUrl, token: randomBytes(16).toString("hex") });
      upstashUrl = proxy.url;
      upstashToken = proxy.token;
    }

    process.env[ENV_REDIS_URL] = redisUrl;
    process.env[ENV_UPSTASH_URL] = upstashUrl;
    process.env[ENV_UPSTASH_TOKEN] = upstashToken;
    project.provide("redisUrl", redisUrl);
    project.provide("upstashUrl", upstashUrl);
    project.provide("upstashToken", upstashToken);
    project.provide("redisSecure", secure);
  } catch (error: unknown) {
    await teardown().catch(() => undefined);
    throw error;
  }
  return teardown;
}
