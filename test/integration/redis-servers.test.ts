/// <reference path="../servers/provided-redis.d.ts" />
// The test servers themselves: a real redis-server for node-redis, and the local
// Upstash REST proxy for the unmodified @upstash/redis client. If these pass,
// state-store tests can trust both backends to behave like production.
import { createHash, randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import { createClient, RESP_TYPES } from "@redis/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startRedis, type RedisServer } from "../servers/redis.js";
import { startUpstashProxy, type UpstashProxy } from "../servers/upstash-proxy.js";

const redisUrl = inject("redisUrl");
const upstashUrl = inject("upstashUrl");
const upstashToken = inject("upstashToken");

// The Redis is shared by all test files of the run; unique keys keep them apart.
const prefix = `dspfn-test:${randomUUID()}:`;
const key = (name: string): string => `${prefix}${name}`;

// Leave nothing behind in a Redis supplied through DSPFN_TEST_REDIS_URL.
afterAll(async () => {
  const client = createClient({ url: redisUrl, RESP: 2 });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
});

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const sha1 = (text: string): string => createHash("sha1").update(text, "utf8").digest("hex");

interface RestReply {
  status: number;
  body: unknown;
}

/** Speaks the REST protocol directly, to pin down exact wire shapes the client would hide. */
async function rest(
  path: string,
  body: unknown,
  options: { base64?: boolean; token?: string | null; url?: string } = {},
): Promise<RestReply> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const token = options.token === undefined ? upstashToken : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (options.base64 === true) headers["Upstash-Encoding"] = "base64";
  const response = await fetch(`${options.url ?? upstashUrl}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

describe("node-redis against redis-server", () => {
  const client = createClient({ url: redisUrl, RESP: 2 });

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(() => {
    client.destroy();
  });

  it("round-trips every byte value in a Buffer", async () => {
    expect(await client.set(key("bytes"), ALL_BYTES)).toBe("OK");
    const read = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key("bytes"));
    expect(Buffer.isBuffer(read)).toBe(true);
    expect(Buffer.compare(read as Buffer, ALL_BYTES)).toBe(0);
    expect(await client.strLen(key("bytes"))).toBe(256);
  });
});

describe("@upstash/redis against the proxy (defaults: base64 responses, auto-pipelining)", () => {
  const redis = new Redis({ url: upstashUrl, token: upstashToken });

  it("sets and gets a string", async () => {
    expect(await redis.set(key("s"), "hello world")).toBe("OK");
    expect(await redis.get<string>(key("s"))).toBe("hello world");
    expect(await redis.get(key("missing"))).toBeNull();
  });

  it("JSON-parses string results, which turns numeric strings into numbers", async () => {
    // A property of the client, not the proxy, but state code must expect it.
    await redis.set(key("numeric"), "42");
    expect(await redis.get(key("numeric"))).toBe(42);
    await redis.set(key("padded"), "007");
    expect(await redis.get(key("padded"))).toBe("007");
  });

  it("round-trips JSON values", async () => {
    const value = { a: 1, list: [true, null, "x"], nested: { text: "ünïcødé ✓" } };
    await redis.set(key("json"), value);
    expect(await redis.get<typeof value>(key("json"))).toEqual(value);
  });

  it("round-trips a binary-ish string through base64 responses", async () => {
    const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("");
    const value = `\u0000${controls} "quoted" \\ ü € 😀 \u007f\uffff`;
    await redis.set(key("binaryish"), value);
    expect(await redis.get<string>(key("binaryish"))).toBe(value);
    expect(await redis.strlen(key("binaryish"))).toBe(Buffer.byteLength(value, "utf8"));
  });

  it("decodes bytes that are not UTF-8 lossily, as the real client does", async () => {
    const client = createClient({ url: redisUrl, RESP: 2 });
    await client.connect();
    try {
      await client.set(key("raw-bytes"), ALL_BYTES);
    } finally {
      client.destroy();
    }
    const read = await redis.get<string>(key("raw-bytes"));
    expect(read).toBe(new TextDecoder().decode(ALL_BYTES));
  });

  it("hset / hgetall", async () => {
    expect(await redis.hset(key("h"), { name: "dsp", count: 7, meta: { on: true } })).toBe(3);
    expect(await redis.hgetall(key("h"))).toEqual({ name: "dsp", count: 7, meta: { on: true } });
    expect(await redis.hget<string>(key("h"), "name")).toBe("dsp");
    expect(await redis.hgetall(key("no-hash"))).toBeNull();
  });

  it("pipeline()", async () => {
    const results = await redis
      .pipeline()
      .set(key("p"), 1)
      .incr(key("p"))
      .incrby(key("p"), 10)
      .get(key("p"))
      .del(key("p"))
      .exists(key("p"))
      .exec();
    expect(results).toEqual(["OK", 2, 12, 12, 1, 0]);
  });

  it("pipeline() reports a failing command without hiding the others when asked", async () => {
    await redis.hset(key("p-hash"), { f: "v" });
    const results = await redis
      .pipeline()
      .set(key("p2"), "a")
      .incr(key("p-hash"))
      .get(key("p2"))
      .exec({ keepErrors: true });
    expect(results).toEqual([
      { result: "OK", error: undefined },
      { result: undefined, error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
      { result: "a", error: undefined },
    ]);
  });

  it("multi() runs through /multi-exec", async () => {
    const results = await redis
      .multi()
      .set(key("m"), "a")
      .append(key("m"), "b")
      .get(key("m"))
      .hset(key("m-hash"), { x: 1 })
      .hincrby(key("m-hash"), "x", 4)
      .exec();
    expect(results).toEqual(["OK", 2, "ab", 1, 5]);
  });

  it("eval runs a Lua script with keys and args", async () => {
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], redis.call('GET', KEYS[1]), redis.call('INCRBY', KEYS[2], ARGV[2])}";
    const result = await redis.eval(script, [key("e1"), key("e2")], ["stored", 5]);
    expect(result).toEqual([key("e1"), "stored", 5]);
    expect(await redis.get(key("e1"))).toBe("stored");
  });

  it("evalsha runs a loaded script, and an unknown sha fails with NOSCRIPT", async () => {
    const script = `return {ARGV[1], #KEYS} -- ${randomUUID()}`;
    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(sha1(script));
    expect(await redis.evalsha(sha, [key("a"), key("b")], ["x"])).toEqual(["x", 2]);
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("createScript().exec falls back from EVALSHA to EVAL on NOSCRIPT", async () => {
    const script = redis.createScript<number>(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ${randomUUID()}`);
    expect(await script.exec([key("script")], ["3"])).toBe(3);
    expect(await script.exec([key("script")], ["4"])).toBe(7);
  });

  it("FCALL calls a loaded Redis function", async () => {
    const library = `dspfntest_${randomUUID().replaceAll("-", "")}`;
    const code = `#!lua name=${library}\nredis.register_function('${library}_f', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)`;
    expect(await redis.functions.load({ code })).toBe(library);
    try {
      expect(await redis.functions.call(`${library}_f`, [key("fcall")], ["9"])).toBe(9);
    } finally {
      await redis.functions.delete(library);
    }
  });

  it("rejects a wrong token", async () => {
    const wrong = new Redis({ url: upstashUrl, token: "not-the-token", retry: false });
    await expect(wrong.get(key("s"))).rejects.toThrow(/Unauthorized/);
  });
});

describe("@upstash/redis against the proxy (plain JSON responses, one request per command)", () => {
  const redis = new Redis({
    url: upstashUrl,
    token: upstashToken,
    responseEncoding: false,
    enableAutoPipelining: false,
  });

  it("sets, gets and increments", async () => {
    expect(await redis.set(key("plain"), "wörld")).toBe("OK");
    expect(await redis.get<string>(key("plain"))).toBe("wörld");
    expect(await redis.incrby(key("plain-n"), 41)).toBe(41);
    expect(await redis.incr(key("plain-n"))).toBe(42);
  });

  it("surfaces a Redis error from the HTTP 400 response", async () => {
    await redis.hset(key("plain-h"), { a: "1" });
    await expect(redis.get(key("plain-h"))).rejects.toThrow(
      /^WRONGTYPE Operation against a key holding the wrong kind of value, command was: \["get",/,
    );
  });

  it("runs a multi() transaction", async () => {
    expect(await redis.multi().set(key("plain-m"), "1").incr(key("plain-m")).exec()).toEqual(["OK", 2]);
  });
});

describe("REST wire format", () => {
  it("answers single commands with {result} and Redis errors with HTTP 400 {error}", async () => {
    expect(await rest("/", ["SET", key("w"), "v"])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await rest("/", ["GET", key("w")])).toEqual({ status: 200, body: { result: "v" } });
    expect(await rest("/", ["GET", key("w-missing")])).toEqual({ status: 200, body: { result: null } });
    expect(await rest("/", ["INCRBY", key("w-n"), 5])).toEqual({ status: 200, body: { result: 5 } });
    expect(await rest("/", ["NOSUCHCOMMAND"])).toEqual({
      status: 400,
      body: { error: "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: " },
    });
  });

  it("base64-encodes every string except a top-level OK", async () => {
    expect(await rest("/", ["SET", key("w64"), "v"], { base64: true })).toEqual({ status: 200, body: { result: "OK" } });
    expect(await rest("/", ["GET", key("w64")], { base64: true })).toEqual({ status: 200, body: { result: b64("v") } });
    expect(await rest("/", ["PING"], { base64: true })).toEqual({ status: 200, body: { result: b64("PONG") } });
    const script = "return {KEYS[1], 3, redis.call('SET', KEYS[1], 'x'), {'nested'}}";
    expect(await rest("/", ["EVAL", script, "1", key("w64-eval")], { base64: true })).toEqual({
      status: 200,
      body: { result: [b64(key("w64-eval")), 3, b64("OK"), [b64("nested")]] },
    });
  });

  it("returns arbitrary bytes exactly in base64 mode", async () => {
    const client = createClient({ url: redisUrl, RESP: 2 });
    await client.connect();
    try {
      await client.set(key("w-bytes"), ALL_BYTES);
    } finally {
      client.destroy();
    }
    const reply = await rest("/", ["GET", key("w-bytes")], { base64: true });
    expect(reply.status).toBe(200);
    const result = (reply.body as { result: string }).result;
    expect(Buffer.compare(Buffer.from(result, "base64"), ALL_BYTES)).toBe(0);
  });

  it("answers /pipeline with one {result}|{error} per command", async () => {
    await rest("/", ["HSET", key("wp-h"), "f", "v"]);
    expect(await rest("/pipeline", [["SET", key("wp"), "1"], ["INCR", key("wp-h")], ["INCR", key("wp")]])).toEqual({
      status: 200,
      body: [{ result: "OK" }, { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }, { result: 2 }],
    });
  });

  it("runs /multi-exec atomically, discarding all of it when a command can't be queued", async () => {
    expect(await rest("/multi-exec", [["SET", key("wm"), "1"], ["INCR", key("wm")]])).toEqual({
      status: 200,
      body: [{ result: "OK" }, { result: 2 }],
    });
    expect(await rest("/multi-exec", [["SET", key("wm-abort"), "1"], ["GET"]])).toEqual({
      status: 400,
      body: { error: "EXECABORT Transaction discarded because of previous errors: ERR wrong number of arguments for 'get' command" },
    });
    expect(await rest("/", ["EXISTS", key("wm-abort")])).toEqual({ status: 200, body: { result: 0 } });
  });

  it("refuses commands that would change the shared connection", async () => {
    expect(await rest("/", ["MULTI"])).toEqual({ status: 400, body: { error: "ERR Command is not allowed: multi (use /multi-exec)" } });
    expect(await rest("/", ["SELECT", "1"])).toEqual({ status: 400, body: { error: "ERR Command is not allowed: select" } });
  });

  it("requires the bearer token", async () => {
    expect(await rest("/", ["PING"], { token: null })).toEqual({ status: 401, body: { error: "Unauthorized" } });
    expect(await rest("/", ["PING"], { token: `${upstashToken}x` })).toEqual({ status: 401, body: { error: "Unauthorized" } });
    expect(await rest("/pipeline", [["PING"]], { token: "" })).toEqual({ status: 401, body: { error: "Unauthorized" } });
  });
});

describe("stopping and restarting Redis under the proxy", () => {
  let server: RedisServer;
  let proxy: UpstashProxy;

  beforeAll(async () => {
    server = await startRedis();
    proxy = await startUpstashProxy({ redisUrl: server.url, token: "fault-token" });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it("fails fast while Redis is down and recovers, empty, on the same port", async () => {
    const redis = new Redis({ url: proxy.url, token: proxy.token, retry: false, enableAutoPipelining: false });
    await redis.set("k", "before");
    expect(await redis.get("k")).toBe("before");

    await server.halt();
    // Fails (rather than hangs until the test times out) with the proxy's outage answer.
    await expect(redis.get("k")).rejects.toThrow(/Redis is unavailable/);

    await server.restart();
    let value: unknown = "unset";
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        value = await redis.get("k");
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    // No persistence: a restarted Redis has lost everything, which is what fault tests simulate.
    expect(value).toBeNull();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
  });
});
