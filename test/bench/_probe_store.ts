import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { RedisStateStore } from '../../core/state/redis.ts';
import { ensureRedisServer, startRedis } from '../servers/redis.ts';
await ensureRedisServer();
const redis = await startRedis();
const c = createClient({ url: redis.url, RESP: 2 }); await c.connect();
async function redisCpu(): Promise<number> {
  const info = String(await c.sendCommand(['INFO', 'cpu']));
  return (Number(/used_cpu_user:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1])) * 1000;
}
const store = new RedisStateStore({ url: redis.url, prefix: 'p:' });
const N = 10_000;
const keys = Array.from({ length: N }, (_, i) => `k${i}`);
const snaps = keys.map(() => new Uint8Array(randomBytes(60)));
let off = 0;
const rows: number[][] = [];
for (let r = 0; r < 14; r++) {
  const c0 = process.cpuUsage(); const r0 = await redisCpu(); const t0 = performance.now();
  const loaded = await store.load(keys);
  const t1 = performance.now(); const c1 = process.cpuUsage(c0); const r1 = await redisCpu();
  const entries = keys.map((key, i) => ({ key, snapshot: snaps[i]!, offsets: [{ topic: 'readings', partition: i % 12, offset: off }], expected: loaded.get(key)?.offsets ?? null }));
  off++;
  const c2s = process.cpuUsage(); const t2 = performance.now();
  const res = await store.commit(entries);
  const t3 = performance.now(); const c3 = process.cpuUsage(c2s); const r3 = await redisCpu();
  if (res.some((x) => x.status !== 'committed')) throw new Error('not committed');
  if (r >= 4) rows.push([t1 - t0, (c1.user + c1.system) / 1000, r1 - r0, t3 - t2, (c3.user + c3.system) / 1000, r3 - r1]);
}
const med = (i: number) => { const v = rows.map((x) => x[i]!).sort((a, b) => a - b); return v[v.length >> 1]!.toFixed(1); };
console.log(`load: wall ${med(0)} client cpu ${med(1)} redis cpu ${med(2)} | commit: wall ${med(3)} client cpu ${med(4)} redis cpu ${med(5)}`);
await store.close(); await c.close(); await redis.stop();
