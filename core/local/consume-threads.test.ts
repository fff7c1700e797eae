// The thread pool without a broker: the function loaded in threads, a caller's sink and the state
// store served on this thread, compared with the same batch run in-process.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../events/types.ts';
import { jsonLogger } from '../logger/logger.ts';
import { MemorySink } from '../sink/memory.ts';
import type { OutputMessage } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { ConsumeThreads } from './consume-threads.ts';
import { invokeInProcess } from './lambda-event.ts';
import type { ThreadCounts, ThreadSettings } from './thread-protocol.ts';

const MODULE = fileURLToPath(new URL('../../functions/sensor-rms/handler.ts', import.meta.url));
const invocation = { functionName: 'sensor-rms', shape: 'msk' as const, bootstrapServers: '127.0.0.1:9092' };
const settings: ThreadSettings = { functionModule: MODULE, functionName: 'sensor-rms', invocation, logLevel: 'silent', sink: { to: 'main' }, observe: false };

function batch(partition: number, from: number, count: number): KafkaRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const offset = from + i;
    const deviceId = `dev-${partition}-${offset % 3}`;
    const bad = offset % 7 === 6;
    const value = bad ? 'not json' : JSON.stringify({ deviceId, sampleRate: 100, data: Array.from({ length: 8 }, (_, s) => Math.sin(offset + s) + partition) });
    return { topic: 'sensors', partition, offset, timestamp: 1_700_000_000_000 + offset, timestampType: 'CREATE_TIME', key: Buffer.from(deviceId), value: Buffer.from(value), tombstone: false, headers: [{ name: 'traceparent', value: Buffer.from([0, 1, 255]) }] };
  });
}

const plain = (messages: readonly OutputMessage[]) =>
  messages.map((m) => ({ ...m, key: String(m.key), value: String(m.value), headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, [...Buffer.from(v)]])) }));

describe('ConsumeThreads', () => {
  const pools: ConsumeThreads[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('runs batches on threads with the same outputs, state and counts as in-process, a caller sink and the store served here', async () => {
    const sink = new MemorySink();
    const state = new MemoryStateStore();
    const counts: ThreadCounts[] = [];
    const pool = await ConsumeThreads.start({ threads: 2, settings, state, sink, onCounts: (c) => counts.push(c), onFatal: (error) => expect.fail(error.message) });
    pools.push(pool);
    const batches = [batch(0, 0, 20), batch(1, 0, 20), batch(0, 20, 20), batch(1, 20, 20)];
    // Two partitions at once, each in its own thread, batch after batch.
    for (const pair of [batches.slice(0, 2), batches.slice(2)]) expect(await Promise.all(pair.map((b) => pool.invoke(b)))).toEqual([{ status: 'ok' }, { status: 'ok' }]);
    expect([pool.slotOf('sensors-0'), pool.slotOf('sensors-1')].sort()).toEqual([0, 1]);

    const reference = { sink: new MemorySink(), state: new MemoryStateStore() };
    const bound = sensorRms.dspfn.withRuntime({ ...reference, logger: jsonLogger({}, 'silent') });
    for (const b of batches) expect(await invokeInProcess(bound, b, invocation)).toEqual({ status: 'ok' });

    const order = (messages: readonly OutputMessage[]) => plain(messages).sort((a, b) => `${a.headers['dspfn-source-partition']}@${a.headers['dspfn-source-offset']}`.localeCompare(`${b.headers['dspfn-source-partition']}@${b.headers['dspfn-source-offset']}`));
    expect(order(sink.messages)).toEqual(order(reference.sink.messages));
    expect(sink.ofKind('dead-letter').map((m) => String(m.value))).toEqual(Array(10).fill('not json'));
    for (const message of sink.messages) expect(Buffer.isBuffer(message.headers.traceparent)).toBe(true);
    expect(state.keys().sort()).toEqual(reference.state.keys().sort());
    for (const key of state.keys()) expect(state.get(key)).toEqual(reference.state.get(key));

    const total = (pick: (c: ThreadCounts) => number) => counts.reduce((n, c) => n + pick(c), 0);
    expect(total((c) => c.produced.result)).toBe(reference.sink.ofKind('result').length);
    expect(total((c) => c.produced['dead-letter'])).toBe(10);
    expect(total((c) => c.deadLettersByCode.DSPFN_DECODE ?? 0)).toBe(10);
    expect(total((c) => c.reports.reduce((n, r) => n + r.records, 0))).toBe(80);
  });

  it('hands a windowed commit to the store as it was made: keys and partition index atomic (all or nothing), the partition list not', async () => {
    const store = new MemoryStateStore();
    const commits: Array<Array<{ key: string; atomic?: true }>> = [];
    const state = {
      name: store.name,
      load: store.load.bind(store),
      commit: async (entries: Parameters<MemoryStateStore['commit']>[0]) => {
        commits.push(entries.map(({ key, atomic }) => ({ key, ...(atomic ? { atomic } : {}) })));
        return store.commit(entries);
      },
      close: async () => {},
    };
    const module = fileURLToPath(new URL('../../functions/window-avg/handler.ts', import.meta.url));
    const windowed: ThreadSettings = { ...settings, functionModule: module, functionName: 'window-avg', invocation: { ...invocation, functionName: 'window-avg' } };
    const pool = await ConsumeThreads.start({ threads: 1, settings: windowed, state, sink: new MemorySink(), onCounts: () => {}, onFatal: (error) => expect.fail(error.message) });
    pools.push(pool);
    const records: KafkaRecord[] = ['a', 'b'].map((key, offset) => ({
      topic: 'input-events', partition: 0, offset, timestamp: 1_700_000_000_000, timestampType: 'CREATE_TIME', key: Buffer.from(key),
      value: Buffer.from(JSON.stringify({ key, value: offset, timestamp: 1_700_000_000_000 + offset })), tombstone: false, headers: [],
    }));
    expect(await pool.invoke(records)).toEqual({ status: 'ok' });
    expect(commits).toEqual([[
      { key: 'window-avg:a', atomic: true },
      { key: 'window-avg:b', atomic: true },
      { key: 'window-avg!window-index:input-events-0', atomic: true },
      { key: 'window-avg!window-partitions' },
    ]]);
  });

  it('fails a batch whose store commit fails (the error crosses back), and the next one succeeds', async () => {
    const store = new MemoryStateStore();
    let failures = 1;
    const state = {
      ...store,
      name: store.name,
      load: store.load.bind(store),
      commit: async (entries: Parameters<MemoryStateStore['commit']>[0]) => {
        if (failures-- > 0) throw new Error('store unreachable');
        return store.commit(entries);
      },
      close: async () => {},
    };
    const pool = await ConsumeThreads.start({ threads: 1, settings, state, sink: new MemorySink(), onCounts: () => {}, onFatal: (error) => expect.fail(error.message) });
    pools.push(pool);
    const failed = await pool.invoke(batch(0, 0, 5));
    expect(failed).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('store unreachable') } });
    expect(await pool.invoke(batch(0, 0, 5))).toEqual({ status: 'ok' });
    expect(store.keys().length).toBeGreaterThan(0);
  });
});
