/**
 * Real Redis servers for tests, driven through redis/redis.sh, plus a vitest
 * globalSetup that provides one Redis and one Upstash-compatible proxy in front
 * of it to every test file.
 *
 * Set DSPFN_TEST_REDIS_URL (and optionally DSPFN_TEST_UPSTASH_URL with
 * DSPFN_TEST_UPSTASH_TOKEN) before running vitest to use servers you started
 * yourself, e.g. from docker-compose, instead.
 */
/// <reference path="./provided-redis.d.ts" />
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startUpstashProxy, type UpstashProxy } from "./upstash-proxy.js";

const SCRIPT = fileURLToPath(new URL("./redis/redis.sh", import.meta.url));

export interface RedisServer {
  url: string;
  port: number;
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

/** Starts redis-server with its state in `dir` (on `port`, else a free one); resolves to the port once it answers PING. */
export async function startRedisServer(options: { dir: string; port?: number }): Promise<number> {
  const args = ["start", "--dir", options.dir];
  if (options.port !== undefined) args.push("--port", String(options.port));
  const stdout = await runScript(args, 60_000);
  const port = Number(stdout.trim().split("\n").pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`redis.sh start printed no port: ${JSON.stringify(stdout)}`);
  return port;
}

/** Shuts down the redis-server started with `dir`; a no-op when it is not running. */
export async function stopRedisServer(dir: string): Promise<void> {
  await runScript(["stop", "--dir", dir], 30_000);
}

/** Starts a fresh, empty Redis on 127.0.0.1 in a new temp dir. Call ensureRedisServer() first on a fresh machine. */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "dspfn-redis-"));
  let port: number;
  try {
    port = await startRedisServer({ dir });
  } catch (error: unknown) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      await stopRedisServer(dir);
      await rm(dir, { recursive: true, force: true });
    },
    halt: () => stopRedisServer(dir),
    async restart() {
      await startRedisServer({ dir, port });
    },
  };
}

const ENV_REDIS_URL = "DSPFN_TEST_REDIS_URL";
const ENV_UPSTASH_URL = "DSPFN_TEST_UPSTASH_URL";
const ENV_UPSTASH_TOKEN = "DSPFN_TEST_UPSTASH_TOKEN";

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
    if (redisUrl === undefined || redisUrl === "") {
      await ensureRedisServer();
      redis = await startRedis();
      redisUrl = redis.url;
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
  } catch (error: unknown) {
    await teardown().catch(() => undefined);
    throw error;
  }
  return teardown;
}
