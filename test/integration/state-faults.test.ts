// Faults for the Redis state stores, each against a Redis this file starts itself (never the shared
// one): scripts failing half way, redelivered and racing commits, Redis going away and coming back,
// connections that die silently (a container thawed after its socket went stale), a flushed script
// cache, ACL credentials and TLS from the URL.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AbsorbedOffset } from '../../core/dsp/snapshot.ts';
import { StateStoreError } from '../../core/errors.ts';
import { RedisStateStore } from '../../core/state/redis.ts';
import type { StateEntry, StateStore } from '../../core/state/store.ts';
import { UpstashStateStore } from '../../core/state/upstash.ts';
import { ensureRedisServer, startRedis, type RedisServer } from '../servers/redis.js';
import { startUpstashProxy, type UpstashProxy } from '../servers/upstash-proxy.js';

const at = (topic: string, partition: number, offset: number): AbsorbedOffset => ({ topic, partition, offset });
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const newClient = (url: string) => createClient({ url, RESP: 2 });
type RawClient = ReturnType<typeof newClient>;

async function rawClient(url: string): Promise<RawClient> {
  const client = newClient(url);
  // Admin connections see Redis go away in the outage test; they reconnect on their own.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Every key's value (or every field of a hash), to compare whole-database states. */
async function dump(client: RawClient): Promise<Record<string, string | Record<string, string>>> {
  const out: Record<string, string | Record<string, string>> = {};
  const keys = (await client.keys('*')).sort();
  for (const key of keys) out[key] = (await client.type(key)) === 'hash' ? await client.hGetAll(key) : String(await client.get(key));
  return out;
}

async function waitFor<T>(probe: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

/**
 * A TCP forwarder that can black-hole its open connections (bytes vanish, nothing is closed: a NAT
 * mapping or peer lost while the container was frozen) or reset them; new connections work.
 */
async function startTcpForwarder(port: number) {
  const open = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean }>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(port, '127.0.0.1');
    const link = { client, upstream, frozen: false };
    open.add(link);
    client.on('data', (data) => void (link.frozen || upstream.write(data)));
    upstream.on('data', (data) => void (link.frozen || client.write(data)));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(link);
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: local } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${local}`,
    connections: () => connections,
    freeze: () => open.forEach((link) => (link.frozen = true)),
    reset: () => open.forEach((link) => link.client.resetAndDestroy()),
    close: () =>
      new Promise<void>((resolve) => {
        open.forEach((link) => link.client.destroy());
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  await ensureRedisServer();
}, 600_000);

describe('state stores against a Redis of their own', () => {
  let server: RedisServer;
  let proxy: UpstashProxy;
  let raw: RawClient;
  const stores: StateStore[] = [];
  const tcp = (options: { timeoutMs?: number; clientName?: string; url?: string } = {}): RedisStateStore => {
    const store = new RedisStateStore({ url: server.url, prefix: '', ...options });
    stores.push(store);
    return store;
  };
  const rest = (options: { timeoutMs?: number; url?: string; maxCommitBytes?: number } = {}): UpstashStateStore => {
    const store = new UpstashStateStore({ url: proxy.url, token: proxy.token, prefix: '', retries: 0, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startRedis();
    proxy = await startUpstashProxy({ redisUrl: server.url, token: 'faults' });
    raw = await rawClient(server.url);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    raw?.destroy();
    await proxy?.close();
    await server?.stop();
  });

  describe.each([
    ['redis (TCP)', () => tcp()],
    ['upstash (REST)', () => rest()],
  ] as const)('%s', (_name, make) => {
    it('writes nothing when the commit script fails half way', async () => {
      const store = make();
      const p = `${randomUUID()}:`;
      await store.commit([{ key: `${p}b`, snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null }]);
      const before = await dump(raw);
      // The third key holds a list, so the script's read of it fails after two keys were decided.
      await raw.rPush(`${p}wrong`, 'not state');
      const failing = store.commit([
        { key: `${p}a`, snapshot: bytes(2), offsets: [at('t', 0, 1)], expected: null },
        { key: `${p}b`, snapshot: bytes(2), offsets: [at('t', 0, 2)], expected: [at('t', 0, 1)] },
        { key: `${p}wrong`, snapshot: bytes(2), offsets: [at('t', 0, 1)], expected: null },
        { key: `${p}c`, snapshot: bytes(2), offsets: [at('t', 0, 1)], expected: null },
      ]);
      await expect(failing).rejects.toThrow(StateStoreError);
      await expect(failing).rejects.toThrow(/WRONGTYPE/);
      await raw.del(`${p}wrong`);
      expect(await dump(raw)).toEqual(before);
    });

    it('fails a load loudly on a key written by something else, without echoing what it holds', async () => {
      const store = make();
      const p = `${randomUUID()}:`;
      const secret = 'x'.repeat(40);
      await raw.hSet(`${p}bad-snapshot`, { snapshot: `${secret}!!`, fence: '' });
      await raw.hSet(`${p}bad-fence`, { snapshot: '', fence: `${secret}\n` });
      await raw.hSet(`${p}half`, { snapshot: '' });
      await raw.set(`${p}string`, secret);
      await raw.set(`${p}bad-value`, `dspfn:2\nt\t0\t1\n\n${secret}!!`);
      await raw.rPush(`${p}list`, secret);
      for (const [key, reason] of [
        // Layout v1 hashes…
        ['bad-snapshot', /malformed snapshot/],
        ['bad-fence', /malformed fence/],
        ['half', /malformed fence/],
        // …v2 strings…
        ['string', /malformed value/],
        ['bad-value', /malformed snapshot/],
        // …and neither.
        ['list', /WRONGTYPE/],
      ] as const) {
        const error = await store.load([`${p}ok`, `${p}${key}`]).then(
          () => new Error('load succeeded'),
          (e: unknown) => e as Error,
        );
        expect(error).toBeInstanceOf(StateStoreError);
        expect(error.message).toMatch(reason);
        expect(error.message).not.toContain(secret);
      }
      await raw.del([`${p}bad-snapshot`, `${p}bad-fence`, `${p}half`, `${p}string`, `${p}bad-value`, `${p}list`]);
    });

    it('leaves identical state when a batch is committed twice', async () => {
      const store = make();
      const p = `${randomUUID()}:`;
      const batch = Array.from({ length: 100 }, (_, i): StateEntry => ({
        key: `${p}${i}`,
        snapshot: bytes(i, 255 - i),
        offsets: [at('t', i % 3, i)],
        expected: null,
      }));
      expect((await store.commit(batch)).every((r) => r.status === 'committed')).toBe(true);
      const once = await dump(raw);
      // Redelivered through either transport (a retried HTTP request lands the same way).
      expect((await store.commit(batch)).every((r) => r.status === 'duplicate')).toBe(true);
      expect((await tcp().commit(batch)).every((r) => r.status === 'duplicate')).toBe(true);
      expect((await rest().commit(batch)).every((r) => r.status === 'duplicate')).toBe(true);
      expect(await dump(raw)).toEqual(once);
    });

    it('lets exactly one of two racing writers commit each key', async () => {
      const p = `${randomUUID()}:`;
      const keys = Array.from({ length: 50 }, (_, i) => `${p}${i}`);
      const start = [at('t', 0, 1), at('t', 1, 1)];
      await make().commit(keys.map((key) => ({ key, snapshot: bytes(0), offsets: start, expected: null })));
      for (let round = 0; round < 20; round++) {
        // Two invocations loaded the same state; each advanced another partition, so neither covers the other.
        const [a, b] = [make(), round % 2 === 0 ? tcp() : rest()];
        const [loadedA, loadedB] = await Promise.all([a.load(keys), b.load(keys)]);
        const advance = (loaded: typeof loadedA, partition: number, mark: number): StateEntry[] =>
          keys.map((key) => {
            const expected = loaded.get(key)!.offsets;
            const offsets = expected.map((o) => (o.partition === partition ? { ...o, offset: o.offset + 1 } : o));
            return { key, snapshot: bytes(mark), offsets, expected };
          });
        const [resultA, resultB] = await Promise.all([a.commit(advance(loadedA, 0, 1)), b.commit(advance(loadedB, 1, 2))]);
        const after = await a.load(keys);
        keys.forEach((key, i) => {
          const statuses = [resultA[i]!.status, resultB[i]!.status].sort();
          expect(statuses).toEqual(['committed', 'conflict']);
          expect([...after.get(key)!.snapshot]).toEqual([resultA[i]!.status === 'committed' ? 1 : 2]);
        });
      }
    });

    it('costs one more round trip only after the script cache was flushed', async () => {
      const store = make();
      const p = `${randomUUID()}:`;
      await store.load([`${p}warm`]);
      await store.commit([{ key: `${p}warm`, snapshot: bytes(1), offsets: [], expected: null }]);
      const counted = await countCommands(server.url, async () => {
        await raw.scriptFlush();
        await store.commit([{ key: `${p}k`, snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null }]);
        await store.commit([{ key: `${p}k`, snapshot: bytes(2), offsets: [at('t', 0, 2)], expected: [at('t', 0, 1)] }]);
        await store.load([`${p}k`]);
        await raw.scriptFlush();
        await store.load([`${p}k`]);
        await store.load([`${p}k`]);
      });
      expect(counted.filter((c) => c.includes(p)).map((c) => c.split(' ')[0])).toEqual([
        'EVALSHA', 'EVAL', // commit after the flush
        'EVALSHA', // commit
        'MGET', 'EXISTS', // loads run no script: a flush costs them nothing
        'MGET', 'EXISTS',
        'MGET', 'EXISTS',
      ]);
      expect([...(await store.load([`${p}k`])).get(`${p}k`)!.snapshot]).toEqual([2]);
    });
  });

  describe('request size limit (Upstash)', () => {
    it('sends a commit larger than the limit as several script calls, in order', async () => {
      const store = rest({ maxCommitBytes: 2_000 });
      const p = `${randomUUID()}:`;
      const entries = Array.from({ length: 60 }, (_, i): StateEntry => ({
        key: `${p}${i % 50}`, // the last 10 repeat earlier keys, across parts
        snapshot: new Uint8Array(40).fill(i),
        offsets: [at('t', 0, i < 50 ? 1 : 2)],
        expected: i < 50 ? null : [at('t', 0, 1)],
      }));
      let results: Awaited<ReturnType<StateStore['commit']>> = [];
      const calls = await countCommands(server.url, async () => void (results = await store.commit(entries)));
      expect(calls.filter((c) => c.includes(p)).length).toBeGreaterThan(3);
      expect(results.map((r) => r.key)).toEqual(entries.map((e) => e.key));
      expect(results.every((r) => r.status === 'committed')).toBe(true);
      const loaded = await store.load([`${p}0`, `${p}49`]);
      expect([...loaded.get(`${p}0`)!.snapshot]).toEqual(new Array(40).fill(50));
      expect([...loaded.get(`${p}49`)!.snapshot]).toEqual(new Array(40).fill(49));
    });
  });

  describe('Redis going away', () => {
    it('rejects a commit caught by the shutdown and works again once Redis is back', async () => {
      const byTcp = tcp({ timeoutMs: 1_500 });
      const byRest = rest({ timeoutMs: 1_500 });
      await byTcp.load(['warm']);
      await byRest.load(['warm']);
      const entry = (key: string): StateEntry => ({ key, snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null });

      // Writes are held by the pause, so both commits are in flight when Redis shuts down.
      await raw.sendCommand(['CLIENT', 'PAUSE', '30000', 'WRITE']);
      const inFlight = Promise.allSettled([byTcp.commit([entry('halted-tcp')]), byRest.commit([entry('halted-rest')])]);
      await sleep(200);
      await server.halt();
      const outcomes = await inFlight;
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      for (const outcome of outcomes) expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StateStoreError);

      // While Redis is down calls fail fast rather than hang.
      await expect(byTcp.load(['x'])).rejects.toThrow(/could not reach Redis|Redis connection failed/);
      await expect(byRest.load(['x'])).rejects.toThrow(StateStoreError);

      // Back, empty (and without the scripts): the same store objects carry on.
      await server.restart();
      raw.destroy();
      raw = await rawClient(server.url);
      expect(await waitFor(() => byTcp.commit([entry('after')]))).toEqual([{ key: 'after', status: 'committed' }]);
      expect(await waitFor(() => byRest.commit([entry('after')]))).toEqual([{ key: 'after', status: 'duplicate' }]);
      expect((await byTcp.load(['halted-tcp', 'halted-rest', 'after'])).size).toBe(1);
    });
  });

  describe('stale connections', () => {
    it('fails only the call in flight on a connection that went silent, then uses a new one', async () => {
      const forwarder = await startTcpForwarder(server.port);
      try {
        // Long enough for the first commit (a new connection, EVALSHA then EVAL) on a loaded machine.
        const store = tcp({ url: forwarder.url, timeoutMs: 2_000 });
        await store.commit([{ key: 'silent', snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null }]);
        forwarder.freeze();
        await expect(store.load(['silent'])).rejects.toThrow(/did not answer within 2000 ms/);
        const loaded = await store.load(['silent']);
        expect([...loaded.get('silent')!.snapshot]).toEqual([1]);
        expect(forwarder.connections()).toBe(2);
      } finally {
        await forwarder.close();
      }
    });

    it('fails no call when the connection was reset while idle or under a call', async () => {
      const forwarder = await startTcpForwarder(server.port);
      try {
        const store = tcp({ url: forwarder.url, timeoutMs: 3_000 });
        await store.commit([{ key: 'reset', snapshot: bytes(1), offsets: [at('t', 0, 1)], expected: null }]);
        // Idle: the server or a middlebox closed it between invocations.
        forwarder.reset();
        expect((await store.load(['reset'])).size).toBe(1);
        // Under a call: the command is lost with the socket and sent again on the next connection.
        forwarder.freeze();
        const commit = store.commit([{ key: 'reset', snapshot: bytes(2), offsets: [at('t', 0, 2)], expected: [at('t', 0, 1)] }]);
        await sleep(100);
        forwarder.reset();
        expect(await commit).toEqual([{ key: 'reset', status: 'committed' }]);
        expect(forwarder.connections()).toBe(3);
      } finally {
        await forwarder.close();
      }
    });
  });

  describe('credentials', () => {
    it('rejects a wrong Upstash token without putting the command (snapshots) in the error', async () => {
      const store = rest({ url: proxy.url });
      const wrong = new UpstashStateStore({ url: proxy.url, token: 'not-the-token', retries: 0 });
      const snapshot = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
      const encoded = Buffer.from(snapshot).toString('base64');
      const error = await wrong.commit([{ key: 'k', snapshot, offsets: [], expected: null }]).then(
        () => new Error('commit succeeded'),
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(StateStoreError);
      expect(error.message).toMatch(/Unauthorized/);
      expect(error.message).not.toContain(encoded.slice(0, 40));
      expect(error.cause).toBeUndefined();
      expect((await store.load(['k'])).size).toBe(0);
    });

    it('authenticates as the ACL user in the URL, and names a wrong password in the error', async () => {
      const user = `dspfn-${randomUUID().slice(0, 8)}`;
      await raw.sendCommand(['ACL', 'SETUSER', user, 'on', '>s3cret', '~*', '+@all']);
      try {
        const store = tcp({ url: `redis://${user}:s3cret@127.0.0.1:${server.port}`, clientName: user });
        await store.commit([{ key: 'acl', snapshot: bytes(1), offsets: [], expected: null }]);
        const list = String(await raw.sendCommand(['CLIENT', 'LIST']));
        expect(list).toMatch(new RegExp(`name=${user} .*user=${user} `));

        const wrong = tcp({ url: `redis://${user}:wrong@127.0.0.1:${server.port}`, timeoutMs: 1_000 });
        const failure = await wrong.load(['acl']).then(
          () => new Error('load succeeded'),
          (error: unknown) => error as Error,
        );
        expect(failure).toBeInstanceOf(StateStoreError);
        expect(failure.message).toMatch(/WRONGPASS/);
        expect(failure.message).not.toContain(':wrong@');
      } finally {
        await raw.sendCommand(['ACL', 'DELUSER', user]);
      }
    });
  });
});

/** Commands from clients other than `raw`-style admin ones, as "NAME first-key" strings, while `run` ran. */
async function countCommands(url: string, run: () => Promise<void>): Promise<string[]> {
  const monitor = await rawClient(url);
  const lines: string[] = [];
  await monitor.monitor((line) => lines.push(String(line)));
  try {
    await run();
    await sleep(100);
  } finally {
    monitor.destroy();
  }
  // `<time> [<db> <addr>] "EVALSHA" "<sha>" "<numkeys>" "<key>" …`; scripts' own calls show as [0 lua].
  return lines
    .filter((line) => !/^\S+ \[\d+ lua\]/.test(line))
    .map((line) => [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!))
    .map(([name = '', ...rest]) => [name.toUpperCase(), ...rest])
    .filter((args) => ['EVALSHA', 'EVAL', 'MGET', 'EXISTS'].includes(args[0]!))
    // The first key: after the sha or source and the key count for scripts, right after the name otherwise.
    .map((args) => `${args[0]} ${args[0]!.startsWith('EVAL') ? args[3] : args[1]}`);
}

describe('TLS (rediss://)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dspfn-tls-'));
    const run = promisify(execFile);
    const file = (name: string): string => path.join(dir, name);
    await writeFile(file('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=dspfn-test-ca']);
    await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
    await run('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('san.ext')]);
    port = await freePort();
    child = spawn(
      'redis-server',
      ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', file('server.crt'), '--tls-key-file', file('server.key'),
        '--tls-ca-cert-file', file('ca.crt'), '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no', '--dir', dir, '--requirepass', 'tls-pass'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
    await waitFor(async () => {
      if (!output.includes('Ready to accept connections')) throw new Error(`redis-server (TLS) did not start: ${output.slice(-500)}`);
    });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('connects over TLS with the password from the URL (CA trusted the way users do: NODE_EXTRA_CA_CERTS)', async () => {
    // A child process, because Node reads NODE_EXTRA_CA_CERTS only at startup.
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const program = `
      import { createStateStore } from './core/state/from-url.ts';
      const store = createStateStore(process.env.STATE_URL, { timeoutMs: 5000 });
      const results = await store.commit([{ key: 'tls', snapshot: Uint8Array.from([0, 1, 255]), offsets: [{ topic: 't', partition: 0, offset: 3 }], expected: null }]);
      const loaded = await store.load(['tls']);
      console.log(JSON.stringify({ name: store.name, results, snapshot: [...loaded.get('tls').snapshot] }));
      await store.close();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      cwd: root,
      env: { ...process.env, STATE_URL: `rediss://default:tls-pass@localhost:${port}`, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.crt') },
      timeout: 30_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      name: 'redis',
      results: [{ key: 'tls', status: 'committed' }],
      snapshot: [0, 1, 255],
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
