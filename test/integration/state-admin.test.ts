/// <reference path="../servers/provided-redis.d.ts" />
// `dspfn state list | show | reset | export | import` against the real Redis (TCP) and the Upstash
// REST endpoint in front of it, through the CLI as users run it.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pipeline } from '../../core/dsp/pipeline.ts';
import { defineFunction } from '../../core/handler/define-function.ts';
import { readings } from '../../core/inputs/readings.ts';
import { createStateStore } from '../../core/state/from-url.ts';
import type { StateStore } from '../../core/state/store.ts';
import { testHarness } from '../../core/testing/harness.ts';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const RUN = `dspfn-admin-${randomUUID()}:`;

type RawClient = ReturnType<typeof createClient>;
let raw: RawClient;

beforeAll(async () => {
  raw = createClient({ url: inject('redisUrl'), RESP: 2 });
  await raw.connect();
});

afterAll(async () => {
  for await (const keys of raw.scanIterator({ MATCH: `${RUN}*`, COUNT: 1000 })) if (keys.length > 0) await raw.del(keys);
  raw.destroy();
});

const spec = pipeline().movingAverage({ window: 3 }).rms({ window: 2 });
const sensor = () =>
  defineFunction({
    name: 'admin-fn',
    codec: 'f32le',
    pipeline: spec,
    output: { topic: 'out', value: ({ key, record, output }) => ({ key, offset: record.offset, y: Array.from(output) }) },
  });

const T0 = Date.UTC(2026, 0, 1);
const averages = () =>
  defineFunction({
    name: 'admin-win',
    input: readings({ key: 'key', timestamp: 'timestamp' }),
    pipeline: pipeline(),
    window: { type: 'tumbling', size: '1m' },
    aggregate: ['count', 'mean'],
    output: { topic: 'out', value: ({ window }) => ({ start: window!.start, count: window!.count, mean: window!.mean }) },
  });

const record = (key: string, offset: number) => ({ key, offset, partition: key === 'dev-1' ? 0 : 1, value: Float32Array.from([offset, offset * 2 + 1, -offset]) });

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

const stores = [
  { name: 'redis', spec: () => inject('redisUrl') },
  { name: 'upstash', spec: () => `upstash+${inject('upstashUrl')}?token=${inject('upstashToken')}` },
] as const;

describe.each(stores)('dspfn state on $name', ({ name, spec: storeSpec }) => {
  const prefix = `${RUN}${name}:`;
  let store: StateStore;
  const dir = mkdtempSync(join(tmpdir(), 'dspfn-state-admin-'));

  beforeAll(() => {
    store = createStateStore(storeSpec(), { prefix });
  });
  afterAll(() => store.close());

  const cli = (...args: string[]): Promise<Cli> => cliOf('admin-fn', ...args);
  async function cliOf(functionName: string, ...args: string[]): Promise<Cli> {
    try {
      const { stdout, stderr } = await exec(process.execPath, ['bin/dspfn.js', 'state', ...args, '--state', storeSpec(), '--function', functionName], {
        cwd: root,
        env: { ...process.env, DSPFN_STATE_PREFIX: prefix },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }
  const json = <T>(...args: string[]): Promise<T> => jsonOf<T>('admin-fn', ...args);
  const jsonOf = async <T>(functionName: string, ...args: string[]): Promise<T> => {
    const result = await cliOf(functionName, ...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  it('lists, shows, resets (fence kept), exports and imports keys', async () => {
    const fn = testHarness(sensor(), { state: store });
    await fn.invoke([0, 1, 2, 3, 4, 5].flatMap((offset) => [record('dev-1', offset), record('dev-2', offset)]));
    // Values written before commit times were stored: a v2 string without one, and a v1 hash.
    const snapshot = (await store.load(['admin-fn:dev-2'])).get('admin-fn:dev-2')!.snapshot;
    await raw.set(`${prefix}admin-fn:old-v2`, `dspfn:2\nsensors\t0\t9\n\n${Buffer.from(snapshot).toString('base64')}`);
    await raw.hSet(`${prefix}admin-fn:old-v1`, { snapshot: Buffer.from(snapshot).toString('base64'), fence: 'sensors\t1\t4\n' });
    await raw.set(`${prefix}other-fn:dev-1`, 'not listed');

    type Listed = { key: string; committedAt?: string; fence: Array<{ topic: string; partition: number; offset: number }>; bytes: number };
    const { keys: listed, windowIndexes } = await json<{ keys: Listed[]; windowIndexes: unknown[] }>('list');
    expect(windowIndexes).toEqual([]);
    expect(listed.map((k) => k.key)).toEqual(['dev-1', 'dev-2', 'old-v1', 'old-v2']);
    const byKey = new Map(listed.map((k) => [k.key, k]));
    expect(byKey.get('dev-1')!.fence).toEqual([{ topic: 'events', partition: 0, offset: 5 }]);
    expect(Date.now() - Date.parse(byKey.get('dev-1')!.committedAt!)).toBeLessThan(10 * 60_000);
    expect(byKey.get('old-v2')).toEqual({ key: 'old-v2', fence: [{ topic: 'sensors', partition: 0, offset: 9 }], bytes: snapshot.byteLength });
    expect(byKey.get('old-v1')).toEqual({ key: 'old-v1', fence: [{ topic: 'sensors', partition: 1, offset: 4 }], bytes: snapshot.byteLength });
    expect((await cli('list')).stdout).toContain('old-v1  (commit time not stored)  sensors/1@4');

    const shown = await json<{ configHash: string; stages: Array<{ stage: string; bytes: number }>; fence: unknown; reset: boolean }>('show', 'dev-1');
    expect(shown.configHash).toBe(spec.configHash.toString(16).padStart(16, '0'));
    expect(shown.stages.map((s) => s.stage)).toEqual(['movingAverage', 'rms']);
    expect(shown.stages.every((s) => s.bytes > 0)).toBe(true);
    expect([shown.reset, shown.fence]).toEqual([false, [{ topic: 'events', partition: 0, offset: 5 }]]);
    expect(await cli('show', 'nobody')).toMatchObject({ code: 1, stderr: expect.stringContaining('no state for key nobody of admin-fn') });

    const file = join(dir, `${name}.json`);
    expect(await json('export', '--out', file)).toEqual({ exported: 4, file });
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ key: string; snapshot: string }> };
    expect(exported.keys.map((k) => k.key)).toEqual(['dev-1', 'dev-2', 'old-v1', 'old-v2']);
    const before = (await store.load(['admin-fn:dev-1'])).get('admin-fn:dev-1')!;

    // Without a terminal, reset asks for --yes and changes nothing.
    const refused = await cli('reset', '--all');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('confirm in a terminal, or pass --yes');
    expect((await store.load(['admin-fn:dev-1'])).get('admin-fn:dev-1')!.snapshot).toEqual(before.snapshot);

    expect(await json('reset', 'dev-1', 'gone', '--yes')).toEqual({ reset: 1, deleted: 0, missing: 1 });
    const reset = await json<{ reset: boolean; fence: unknown; stages?: unknown }>('show', 'dev-1');
    expect([reset.reset, reset.fence, reset.stages]).toEqual([true, [{ topic: 'events', partition: 0, offset: 5 }], undefined]);

    // The next batch of dev-1 starts afresh, and the fence still skips offsets 3..5.
    const next = testHarness(sensor(), { state: store });
    await next.invoke([3, 4, 5, 6, 7, 8].map((offset) => record('dev-1', offset)));
    expect(next.reports[0]).toMatchObject({ skipped: 3, applied: 3 });
    const fresh = testHarness(sensor());
    await fresh.invoke([6, 7, 8].map((offset) => record('dev-1', offset)));
    expect(next.sink.json('out')).toEqual(fresh.sink.json('out'));
    expect(next.sink.json('out')).toHaveLength(3);

    // Import puts back what was exported, commit times and v1 keys (now as v2) included.
    expect(await json('import', file, '--yes')).toEqual({ imported: 4, replaced: 4 });
    const restored = await store.load(['admin-fn:dev-1', 'admin-fn:old-v1']);
    expect(restored.get('admin-fn:dev-1')).toEqual(before);
    expect(await raw.type(`${prefix}admin-fn:old-v1`)).toBe('string');
    expect(restored.get('admin-fn:old-v1')!.offsets).toEqual([{ topic: 'sensors', partition: 1, offset: 4 }]);

    expect(await json('reset', '--all', '--yes')).toEqual({ reset: 4, deleted: 0, missing: 0 });
    expect((await json<{ keys: Listed[] }>('list')).keys.every((k) => k.bytes === 0)).toBe(true);
    expect(await raw.get(`${prefix}other-fn:dev-1`)).toBe('not listed');
  });
  it('lists a windowed function’s partitions (watermark, open windows) and shows a key’s open windows; reset keeps the window indexes', async () => {
    const reading = (value: number, at: number, offset: number) => ({ key: 'sensor-a', offset, value: { key: 'sensor-a', value, timestamp: T0 + at } });
    const fn = testHarness(averages(), { state: store });
    await fn.invoke([reading(2, 1_000, 0), reading(4, 2_000, 1), reading(10, 61_000, 2)], { topic: 'in' });
    expect(fn.sink.json('out')).toEqual([{ start: T0, count: 2, mean: 3 }]);

    type Shown = { stages: unknown[]; fence: unknown; windows: { configHash: string; channels: number; open: Array<{ topic: string; partition: number; start: string; end: string; count: number; channels: Array<Record<string, number>> }> } };
    const shown = await jsonOf<Shown>('admin-win', 'show', 'sensor-a');
    expect(shown.stages).toEqual([]);
    expect(shown.fence).toEqual([{ topic: 'in', partition: 0, offset: 2 }]);
    expect(shown.windows.channels).toBe(1);
    expect(shown.windows.open).toEqual([
      { topic: 'in', partition: 0, start: new Date(T0 + 60_000).toISOString(), end: new Date(T0 + 120_000).toISOString(), count: 1, channels: [expect.objectContaining({ count: 1, mean: 10, min: 10, max: 10, first: 10, last: 10 })] },
    ]);
    const text = (await cliOf('admin-win', 'show', 'sensor-a')).stdout;
    expect(text).toContain('windows      1 open, window configuration hash ');
    expect(text).toContain(`in/0  [${new Date(T0 + 60_000).toISOString()}, ${new Date(T0 + 120_000).toISOString()})  1 frame(s), mean 10, min 10, max 10`);

    // list: the partition's window index, its watermark (largest event time minus the lateness given) and open windows.
    type Indexes = { keys: Array<{ key: string }>; windowIndexes: Array<Record<string, unknown>> };
    const listed = await jsonOf<Indexes>('admin-win', 'list');
    expect(listed.keys.map((k) => k.key)).toEqual(['sensor-a']);
    expect(listed.windowIndexes).toEqual([
      {
        topic: 'in',
        partition: 0,
        openKeys: 1,
        openWindows: 1,
        maxEventTime: new Date(T0 + 61_000).toISOString(),
        watermark: new Date(T0 + 61_000).toISOString(),
        lastActivity: expect.any(String),
        committedAt: expect.any(String),
        offset: 2,
        configHash: shown.windows.configHash,
      },
    ]);
    expect(Date.now() - Date.parse(listed.windowIndexes[0]!.committedAt as string)).toBeLessThan(10 * 60_000);
    const lagging = await jsonOf<Indexes>('admin-win', 'list', '--allowed-lateness', '1m');
    expect(lagging.windowIndexes[0]!.watermark).toBe(new Date(T0 + 1_000).toISOString());
    const listText = (await cliOf('admin-win', 'list')).stdout;
    expect(listText).toContain('1 partition(s) with a window index (watermark with allowed lateness 0ms)');
    expect(listText).toContain(`  in/0  watermark ${new Date(T0 + 61_000).toISOString()}  1 open window(s) in 1 key(s)  committed 20`);
    expect(await cliOf('admin-win', 'list', '--allowed-lateness', 'soon')).toMatchObject({ code: 1, stderr: expect.stringContaining('--allowed-lateness "soon" is not a duration') });

    // Reset: the open window is dropped, offset 2 is still behind the fence, offset 3 opens it afresh.
    expect(await jsonOf('admin-win', 'reset', 'sensor-a', '--yes')).toEqual({ reset: 1, deleted: 0, missing: 0 });
    const next = testHarness(averages(), { state: store });
    await next.invoke([reading(10, 61_000, 2), reading(20, 62_000, 3)], { topic: 'in' });
    expect(next.reports[0]).toMatchObject({ skipped: 1, applied: 1 });
    const afresh = await jsonOf<Shown>('admin-win', 'show', 'sensor-a');
    expect(afresh.windows.open.map((w) => [w.count, w.channels[0]!.mean])).toEqual([[1, 20]]);
    expect(afresh.fence).toEqual([{ topic: 'in', partition: 0, offset: 3 }]);

    // reset --all resets the keys and keeps the window indexes: the watermark stays where the
    // partition's records put it, and the index's entry for a reset key is dropped by the next batch
    // that passes its window's end (the key is loaded, has nothing open, closes nothing).
    expect(await jsonOf('admin-win', 'reset', '--all', '--yes')).toEqual({ reset: 1, deleted: 0, missing: 0 });
    const kept = (await jsonOf<Indexes>('admin-win', 'list')).windowIndexes;
    expect(kept.map((w) => [w.openKeys, w.openWindows, w.watermark, w.offset])).toEqual([[1, 0, new Date(T0 + 62_000).toISOString(), 3]]);
    const late = testHarness(averages(), { state: store });
    await late.invoke([reading(7, 30_000, 4), reading(5, 125_000, 5)], { topic: 'in' });
    expect(late.reports[0]).toMatchObject({ applied: 1 });
    expect(late.sink.json('out')).toEqual([]);
    const after = (await jsonOf<Indexes>('admin-win', 'list')).windowIndexes;
    expect(after.map((w) => [w.openKeys, w.openWindows, w.watermark, w.offset])).toEqual([[1, 1, new Date(T0 + 125_000).toISOString(), 5]]);
    expect((await jsonOf<Shown>('admin-win', 'show', 'sensor-a')).windows.open.map((w) => [w.start, w.count])).toEqual([[new Date(T0 + 120_000).toISOString(), 1]]);
  });
});
