/**
 * State store bench: load + commit per batch for 10, 1,000 and 10,000 keys (60-byte snapshots, like
 * a 10-sample window), on memory, Redis over TCP and the Upstash REST API, with round trips per batch
 * counted on the wire (MONITOR lines from the store's connection; HTTP requests through a counting
 * forwarder; calls for memory). Starts its own redis-server and Upstash proxy.
 *
 * Beside the stores, the floor on the same Redis: a bare MGET of the keys and an MSET of the same
 * values (no fence, no script, no decoding) through node-redis, and for every Redis row
 * the CPU time Redis spent per batch (INFO cpu, main thread) and this process's own CPU time per
 * batch (the client's encoding and decoding, GC included; for Upstash also the REST proxy, which
 * runs in this process): on a loaded machine the wall time also holds waiting for a core, which
 * the two CPU columns leave out.
 *
 *   npx tsx test/bench/state-bench.ts [--batches N]
 *
 * Everything runs on localhost: the numbers are the stores' own cost, without network latency
 * (add one RTT per round trip for a real deployment).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import type { AbsorbedOffset } from '../../core/dsp/snapshot.ts';
import { MemoryStateStore } from '../../core/state/memory.ts';
import { encodeFence, encodeValue } from '../../core/state/redis-layout.ts';
import { RedisStateStore } from '../../core/state/redis.ts';
import type { CommitResult, StateEntry, StateStore, StoredState } from '../../core/state/store.ts';
import { UpstashStateStore } from '../../core/state/upstash.ts';
import { ensureRedisServer, startRedis } from '../servers/redis.ts';
import { startUpstashProxy } from '../servers/upstash-proxy.ts';
import { countingForwarder } from '../servers/counting-forwarder.ts';
import { median } from './measure.ts';

const SIZES = [10, 1_000, 10_000] as const;
const SNAPSHOT_BYTES = 60;
const TOPIC = 'readings';

/** Runs one phase of a batch (the load, or the commit) and returns the round trips it made. */
type Counter = (run: () => Promise<unknown>) => Promise<number>;

interface Contender {
  name: string;
  /** The store timed. */
  timed: StateStore;
  /** Whether its work lands on the bench's Redis (a CPU column then). */
  redis: boolean;
  /** Runs one batch on a store whose round trips can be counted. */
  count(batch: (store: StateStore, counter: Counter) => Promise<RoundTrips>): Promise<RoundTrips>;
}

interface RoundTrips {
  load: number;
  commit: number;
}

const newClient = (url: string) => createClient({ url, RESP: 2 });
type RawClient = ReturnType<typeof newClient>;

async function connect(url: string, name?: string): Promise<RawClient> {
  const client = createClient({ url, RESP: 2, ...(name !== undefined ? { name } : {}) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * The floor for a Redis store: one MGET per load (the replies not even decoded) and one MSET per
 * commit of the values a store writes, without fences or scripts. Not a store: it checks nothing.
 */
class BareRedis implements StateStore {
  readonly name = 'bare MGET + MSET';

  constructor(
    private readonly client: RawClient,
    private readonly prefix: string,
  ) {}

  async load(keys: readonly string[]): Promise<Map<string, StoredState>> {
    await this.client.sendCommand(['MGET', ...keys.map((key) => this.prefix + key)]);
    return new Map();
  }

  async commit(entries: readonly StateEntry[]): Promise<CommitResult[]> {
    const args = ['MSET'];
    for (const entry of entries) args.push(this.prefix + entry.key, encodeValue(encodeFence(entry.offsets, entry.key), entry.snapshot));
    await this.client.sendCommand(args);
    return entries.map((entry) => ({ key: entry.key, status: 'committed' }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** Redis main-thread CPU seconds so far (user + system). */
async function redisCpu(admin: RawClient): Promise<number> {
  const info = String(await admin.sendCommand(['INFO', 'cpu']));
  const field = (name: string): number => Number(new RegExp(`^used_cpu_${name}_main_thread:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('user') + field('sys');
}

/** A Counter over MONITOR: lines sent by the connection named `name`, not the scripts' own calls. */
async function monitorCounter(url: string, name: string): Promise<{ counter: Counter; stop: () => void }> {
  const admin = await connect(url);
  const monitor = await connect(url);
  const lines: string[] = [];
  await monitor.monitor((line) => lines.push(String(line)));
  const mark = async (): Promise<number> => {
    const marker = randomUUID();
    await admin.sendCommand(['ECHO', marker]);
    for (;;) {
      const at = lines.findIndex((line) => line.includes(marker));
      if (at >= 0) return at;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const counter: Counter = async (run) => {
    const clients = String(await admin.sendCommand(['CLIENT', 'LIST'])).split('\n');
    const addr = clients.find((line) => line.includes(` name=${name} `))?.match(/ addr=(\S+)/)?.[1];
    if (addr === undefined) throw new Error(`no connection named ${name}`);
    const begin = await mark();
    await run();
    const end = await mark();
    const sent = lines.slice(begin, end).filter((line) => line.includes(` ${addr}]`));
    // A load's MGET and EXISTS are written together (test/integration/state-pipeline.test.ts): one round trip.
    return sent.filter((line, i) => !(/\] "EXISTS"/i.test(line) && /\] "MGET"/i.test(sent[i - 1] ?? ''))).length;
  };
  return {
    counter,
    stop: () => {
      monitor.destroy();
      admin.destroy();
    },
  };
}


/**
 * One Lambda batch's state traffic: load every key, then commit each advanced by one offset.
 * `measure` wraps each phase and reports what it measured (elapsed ms, or round trips).
 */
function makeBatch(keys: readonly string[], snapshots: readonly Uint8Array[], round: () => number) {
  return async (store: StateStore, measure: Counter): Promise<RoundTrips> => {
    const offset = round();
    let loaded = new Map<string, StoredState>();
    const load = await measure(async () => void (loaded = await store.load(keys)));
    const entries = keys.map((key, i): StateEntry => {
      const offsets: AbsorbedOffset[] = [{ topic: TOPIC, partition: i % 12, offset }];
      return { key, snapshot: snapshots[i]!, offsets, expected: loaded.get(key)?.offsets ?? null };
    });
    let results: Awaited<ReturnType<StateStore['commit']>> = [];
    const commit = await measure(async () => void (results = await store.commit(entries)));
    const bad = results.find((r) => r.status !== 'committed');
    if (bad) throw new Error(`${store.name}: ${bad.key} was ${bad.status}`);
    return { load, commit };
  };
}

const elapsed: Counter = async (run) => {
  const start = performance.now();
  await run();
  return performance.now() - start;
};

/**
 * Round trips of a store on its own connection, named so that MONITOR counts only its commands:
 * `open` connects it under the name (and has it connected before counting starts).
 */
async function countedByMonitor(
  url: string,
  namePrefix: string,
  batch: (store: StateStore, counter: Counter) => Promise<RoundTrips>,
  open: (clientName: string) => Promise<StateStore>,
): Promise<RoundTrips> {
  const clientName = `${namePrefix}-${randomUUID().slice(0, 8)}`;
  const counted = await open(clientName);
  const { counter, stop } = await monitorCounter(url, clientName);
  try {
    return await batch(counted, counter);
  } finally {
    stop();
    await counted.close();
  }
}

function batchesFor(size: number, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  return size <= 10 ? 200 : size <= 1_000 ? 40 : 10;
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--batches');
  const requested = flag > 0 ? Number(process.argv[flag + 1]) : undefined;

  await ensureRedisServer();
  const redis = await startRedis();
  const proxy = await startUpstashProxy({ redisUrl: redis.url, token: randomUUID() });
  const forwarder = await countingForwarder(proxy.url);
  const closers: Array<() => Promise<void>> = [];

  try {
    const memory = new MemoryStateStore();
    const bare = await connect(redis.url);
    const admin = await connect(redis.url);
    closers.push(async () => admin.destroy());
    const contenders: Contender[] = [
      {
        name: 'memory',
        timed: memory,
        redis: false,
        count: (batch) =>
          batch(memory, async (run) => {
            const before = memory.calls.load + memory.calls.commit;
            await run();
            return memory.calls.load + memory.calls.commit - before;
          }),
      },
      {
        name: 'redis (TCP)',
        timed: new RedisStateStore({ url: redis.url, prefix: 'bench:' }),
        redis: true,
        count: (batch) =>
          countedByMonitor(redis.url, 'dspfn-bench', batch, async (clientName) => {
            const counted = new RedisStateStore({ url: redis.url, prefix: 'bench:', clientName });
            await counted.load(['connect']);
            return counted;
          }),
      },
      {
        name: 'upstash (REST)',
        timed: new UpstashStateStore({ url: proxy.url, token: proxy.token, prefix: 'bench:' }),
        redis: true,
        async count(batch) {
          const counted = new UpstashStateStore({ url: forwarder.url, token: proxy.token, prefix: 'bench:' });
          return batch(counted, async (run) => {
            const before = forwarder.requests();
            await run();
            return forwarder.requests() - before;
          });
        },
      },
      {
        name: 'bare MGET + MSET (TCP)',
        timed: new BareRedis(bare, 'bench:'),
        redis: true,
        count: (batch) =>
          countedByMonitor(redis.url, 'dspfn-bench-bare', batch, async (clientName) => new BareRedis(await connect(redis.url, clientName), 'bench:')),
      },
    ];
    for (const c of contenders) closers.push(() => c.timed.close());

    const rows: string[][] = [['store', 'keys', 'batches', 'load ms', 'commit ms', 'batch ms', 'µs/key', 'client cpu ms', 'redis cpu ms', 'round trips: load', 'commit']];
    for (const size of SIZES) {
      const snapshots = Array.from({ length: size }, () => new Uint8Array(randomBytes(SNAPSHOT_BYTES)));
      for (const contender of contenders) {
        const keys = Array.from({ length: size }, (_, i) => `fn:${size}:${contender.name}:${i}`);
        let offset = 0;
        const batch = makeBatch(keys, snapshots, () => offset++);
        await batch(contender.timed, elapsed); // warm-up: connection, script cache, JIT
        const loads: number[] = [];
        const commits: number[] = [];
        const totals: number[] = [];
        const cpuBefore = contender.redis ? await redisCpu(admin) : 0;
        const clientCpu: number[] = [];
        for (let i = 0; i < batchesFor(size, requested); i++) {
          const used = process.cpuUsage();
          const { load, commit } = await batch(contender.timed, elapsed);
          const { user, system } = process.cpuUsage(used);
          clientCpu.push((user + system) / 1000);
          loads.push(load);
          commits.push(commit);
          totals.push(load + commit);
        }
        const cpu = contender.redis ? (((await redisCpu(admin)) - cpuBefore) * 1000) / totals.length : Number.NaN;
        const roundTrips = await contender.count(batch);
        rows.push([
          contender.name,
          size.toLocaleString('en-US'),
          String(totals.length),
          median(loads).toFixed(2),
          median(commits).toFixed(2),
          median(totals).toFixed(2),
          ((median(totals) * 1000) / size).toFixed(1),
          median(clientCpu).toFixed(2),
          Number.isNaN(cpu) ? '-' : cpu.toFixed(2),
          String(roundTrips.load),
          String(roundTrips.commit),
        ]);
      }
    }
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
    const line = (row: string[]): string => row.map((cell, col) => (col < 1 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
    process.stdout.write(`state stores, ${SNAPSHOT_BYTES}-byte snapshots, medians over the batches, localhost (no network RTT); client cpu: this process per batch (median; the batch's entries are built in it too, and for upstash the in-process REST proxy runs in it); redis cpu: mean per batch\n`);
    process.stdout.write(`${line(rows[0]!)}\n${rows.slice(1).map(line).join('\n')}\n`);
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await forwarder.close();
    await proxy.close();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`state-bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
