import { describe, expect, it } from 'vitest';
import { SinkError } from '../errors.ts';
import type { ProduceTransport, TopicMessages } from '../kafka/producer.ts';
import { partitionOf } from '../kafka/key-partition.ts';
import { KafkaSink, OWN_WRITE_MESSAGES } from './kafka.ts';
import type { OutputMessage } from './sink.ts';

function fakeTransport(options: { failures?: number; delayMs?: number } = {}): ProduceTransport & { sends: TopicMessages[][]; closed: boolean } {
  let failures = options.failures ?? 0;
  const transport = {
    sends: [] as TopicMessages[][],
    closed: false,
    async send(batches: readonly TopicMessages[]) {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (failures > 0) {
        failures--;
        throw new Error('KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9');
      }
      transport.sends.push(batches.map((b) => ({ topic: b.topic, messages: [...b.messages] })));
    },
    async close() {
      transport.closed = true;
    },
  };
  return transport;
}

/** A transport whose sends finish only when the test says so, recording how many were in flight at once. */
function gatedTransport(concurrentSends: number) {
  const pending: Array<{ keys: string[]; finish: (error?: Error) => void }> = [];
  const transport = {
    concurrentSends,
    inFlight: 0,
    maxInFlight: 0,
    pending,
    send(batches: readonly TopicMessages[]) {
      transport.inFlight++;
      transport.maxInFlight = Math.max(transport.maxInFlight, transport.inFlight);
      return new Promise<void>((resolve, reject) => {
        pending.push({
          // Each key once, in order of first appearance (a large send repeats one key).
          keys: [...new Set(batches.flatMap((b) => b.messages.map((m) => String(m.key))))],
          finish: (error) => {
            transport.inFlight--;
            if (error) reject(error);
            else resolve();
          },
        });
      });
    },
    async close() {},
  };
  return transport;
}

/** Lets the sink's pending promise callbacks run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const result = (key: string, topic = 'rms'): OutputMessage => ({ kind: 'result', topic, key, value: `{"k":"${key}"}`, headers: { 'content-type': 'application/json' } });
const log = (n: number, size = 10): OutputMessage => ({ kind: 'log', topic: 'logs', key: 'fn', value: 'x'.repeat(size) + n, headers: {} });

function shape(sends: TopicMessages[][]): Array<Record<string, string[]>> {
  return sends.map((request) => Object.fromEntries(request.map((b) => [b.topic, b.messages.map((m) => String(m.key ?? m.value))])));
}

describe('KafkaSink', () => {
  it('warm() hands over to the transport, failing with the reason and never the password', async () => {
    let warmed = 0;
    const ok = new KafkaSink({ transport: { ...fakeTransport(), warm: async () => void warmed++ } });
    await ok.warm();
    expect(warmed).toBe(1);
    const secret = 's3cr3t-pw';
    const failing = new KafkaSink({
      password: secret,
      transport: { ...fakeTransport(), warm: () => Promise.reject(new Error(`SASL authentication failed for password ${secret}`)) },
    });
    const error = await failing.warm().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as Error).message).toMatch(/^Kafka warm-up failed: SASL authentication failed/);
    expect((error as Error).message).not.toContain(secret);
    await expect(new KafkaSink({ transport: fakeTransport() }).warm()).resolves.toBeUndefined();
  });

  it('lets the handler reuse result memory after a send only with the clients it chooses, not a transport it was given (which may keep the messages)', async () => {
    const given = new KafkaSink({ transport: fakeTransport() });
    expect(given.releasesValues).toBe(false);
    const chosen = new KafkaSink({ brokers: ['127.0.0.1:9'] });
    expect(chosen.releasesValues).toBe(true);
    await chosen.close();
  });

  it('hands the event bootstrap servers of each send to the transport, for a connection without configured brokers', async () => {
    const seen: Array<readonly string[] | undefined> = [];
    const transport = { ...fakeTransport(), send: async (_batches: readonly TopicMessages[], eventBrokers?: readonly string[]) => void seen.push(eventBrokers) };
    const sink = new KafkaSink({ transport });
    await sink.send([result('a')], { bootstrapServers: ['k1:9092', 'k2:9092'] });
    // A send without a source (a flush) keeps the servers of the latest event.
    await sink.send([result('b')]);
    await sink.send([result('c')], { bootstrapServers: ['k3:9092'] });
    expect(seen).toEqual([['k1:9092', 'k2:9092'], ['k1:9092', 'k2:9092'], ['k3:9092']]);
  });

  it('groups a send per topic into one request, keeping order, keys and headers', async () => {
    const transport = fakeTransport();
    const sink = new KafkaSink({ transport });
    const dead: OutputMessage = { kind: 'dead-letter', topic: 'in.dlq', key: Buffer.from([0xff, 0x00]), value: Buffer.from([1, 2]), headers: { 'dspfn-error-code': 'DSPFN_DECODE', raw: Buffer.from([0x80]) } };
    await sink.send([result('a'), dead, result('b'), result('c', 'other')]);
    expect(shape(transport.sends)).toEqual([{ rms: ['a', 'b'], 'in.dlq': [Buffer.from([0xff, 0]).toString()], other: ['c'] }]);
    const sent = transport.sends[0]!.find((b) => b.topic === 'in.dlq')!.messages[0]!;
    expect(sent.key).toEqual(Buffer.from([0xff, 0x00]));
    expect(sent.headers).toEqual({ 'dspfn-error-code': 'DSPFN_DECODE', raw: Buffer.from([0x80]) });
  });

  it('sends queued log messages with the next send, before it returns', async () => {
    const transport = fakeTransport();
    const sink = new KafkaSink({ transport, logFlushIntervalMs: 60_000 });
    sink.log(log(1));
    sink.log(log(2));
    expect(transport.sends).toHaveLength(0);
    await sink.send([result('a'), log(3)]);
    expect(shape(transport.sends)).toEqual([{ logs: ['fn', 'fn', 'fn'], rms: ['a'] }]);
    expect(transport.sends[0]![0]!.messages.map((m) => m.value)).toEqual(['xxxxxxxxxx1', 'xxxxxxxxxx2', 'xxxxxxxxxx3']);
  });

  it('flushes log messages on its own by size and by interval', async () => {
    const transport = fakeTransport();
    const sink = new KafkaSink({ transport, logBatchBytes: 300, logFlushIntervalMs: 30 });
    sink.log(log(1, 200));
    expect(transport.sends).toHaveLength(0);
    sink.log(log(2, 200));
    await new Promise((r) => setTimeout(r, 0));
    expect(transport.sends.map((s) => s[0]!.messages.length)).toEqual([2]);
    sink.log(log(3));
    await new Promise((r) => setTimeout(r, 80));
    expect(transport.sends.map((s) => s[0]!.messages.length)).toEqual([2, 1]);
  });

  it('rejects a failed produce with a SinkError, and keeps queued logs for the next send', async () => {
    const transport = fakeTransport({ failures: 1 });
    const sink = new KafkaSink({ transport, logFlushIntervalMs: 60_000 });
    sink.log(log(1));
    const error = await sink.send([result('a'), log(2)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as Error).message).toBe(
      'Kafka produce of 3 message(s) to logs, rms failed: KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9',
    );
    await sink.send([result('a')]);
    // The queued log survives; the failed send's own log is the caller's to resend with its retry.
    expect(shape(transport.sends)).toEqual([{ logs: ['fn'], rms: ['a'] }]);
    expect(transport.sends[0]![0]!.messages[0]!.value).toBe('xxxxxxxxxx1');
  });

  it('shares requests between concurrent sends and settles each caller', async () => {
    const transport = fakeTransport({ delayMs: 20 });
    const sink = new KafkaSink({ transport });
    await Promise.all([sink.send([result('a')]), sink.send([result('b')]), sink.send([result('c')])]);
    expect(shape(transport.sends)).toEqual([{ rms: ['a'] }, { rms: ['b', 'c'] }]);
  });

  it("gives large sends writes of their own up to the transport's concurrentSends, queues the rest in order, one large send per write, and settles each caller with its own write", async () => {
    const transport = gatedTransport(2);
    const sink = new KafkaSink({ transport });
    const settled: string[] = [];
    const send = (key: string) =>
      sink.send(Array.from({ length: OWN_WRITE_MESSAGES }, () => result(key))).then(
        () => void settled.push(`${key} ok`),
        (error: unknown) => void settled.push(`${key} failed: ${(error as Error).message.includes('broker gone') ? 'broker gone' : 'other'}`),
      );
    const sends = ['a', 'b', 'c', 'd'].map(send);
    await settle();
    // a and b went out at once; c and d wait for a free write, and take one each (flat out, each
    // partition's batch is acknowledged on its own instead of with every batch queued beside it).
    expect(transport.pending.map((p) => p.keys)).toEqual([['a'], ['b']]);
    transport.pending[1]!.finish(new Error('broker gone'));
    await settle();
    expect(settled).toEqual(['b failed: broker gone']);
    expect(transport.pending.map((p) => p.keys)).toEqual([['a'], ['b'], ['c']]);
    transport.pending[2]!.finish();
    await settle();
    // c settles with its write while a's is still in flight, and d takes the free write.
    expect(settled).toEqual(['b failed: broker gone', 'c ok']);
    expect(transport.pending.map((p) => p.keys)).toEqual([['a'], ['b'], ['c'], ['d']]);
    transport.pending[3]!.finish();
    await settle();
    expect(settled).toEqual(['b failed: broker gone', 'c ok', 'd ok']);
    transport.pending[0]!.finish();
    await Promise.all(sends);
    expect(settled).toEqual(['b failed: broker gone', 'c ok', 'd ok', 'a ok']);
    expect(transport.maxInFlight).toBe(2);
  });

  it('lets queued small sends ride with the next large one, and a large send behind it wait for the write after', async () => {
    const transport = gatedTransport(1);
    const sink = new KafkaSink({ transport });
    const send = (key: string, n: number) => sink.send(Array.from({ length: n }, () => result(key)));
    const sends = Promise.all([send('a', OWN_WRITE_MESSAGES), send('b', 1), send('c', OWN_WRITE_MESSAGES), send('d', OWN_WRITE_MESSAGES), send('e', 1)]);
    await settle();
    expect(transport.pending.map((p) => p.keys)).toEqual([['a']]);
    for (const expected of [[['a'], ['b', 'c']], [['a'], ['b', 'c'], ['d']], [['a'], ['b', 'c'], ['d'], ['e']]]) {
      transport.pending.at(-1)!.finish();
      await settle();
      expect(transport.pending.map((p) => p.keys)).toEqual(expected);
    }
    transport.pending.at(-1)!.finish();
    await sends;
    expect(transport.maxInFlight).toBe(1);
  });

  it('queues small sends behind the write in flight, together, even with writes to spare', async () => {
    const transport = gatedTransport(2);
    const sink = new KafkaSink({ transport });
    const small = (key: string) => sink.send(Array.from({ length: OWN_WRITE_MESSAGES - 1 }, () => result(key)));
    const sends = Promise.all([small('a'), small('b'), small('c')]);
    await settle();
    expect(transport.pending.map((p) => p.keys)).toEqual([['a']]);
    // A large send arriving now takes the free write, and the small ones queued go with it.
    const large = sink.send(Array.from({ length: OWN_WRITE_MESSAGES }, () => result('d')));
    await settle();
    expect(transport.pending.map((p) => p.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    for (const p of transport.pending) p.finish();
    await Promise.all([sends, large]);
    expect(transport.maxInFlight).toBe(2);
  });

  it("sends one submission's requests one after the other, even with writes to spare", async () => {
    const transport = gatedTransport(4);
    const sink = new KafkaSink({ transport, maxRequestBytes: 250 });
    const sent = sink.send(['a', 'b', 'c', 'd', 'e'].map((k) => result(k)));
    for (const expected of [[['a', 'b']], [['a', 'b'], ['c', 'd']], [['a', 'b'], ['c', 'd'], ['e']]]) {
      await settle();
      expect(transport.pending.map((p) => p.keys)).toEqual(expected);
      expect(transport.inFlight).toBe(1);
      transport.pending.at(-1)!.finish();
    }
    await sent;
    expect(transport.maxInFlight).toBe(1);
  });

  it('writes one at a time with a transport that does not say it takes more', async () => {
    const transport = { ...gatedTransport(1), concurrentSends: undefined };
    const sink = new KafkaSink({ transport });
    const large = (key: string) => sink.send(Array.from({ length: OWN_WRITE_MESSAGES }, () => result(key)));
    const sends = Promise.all([large('a'), large('b')]);
    await settle();
    expect(transport.pending.map((p) => p.keys)).toEqual([['a']]);
    transport.pending[0]!.finish();
    await settle();
    expect(transport.pending.map((p) => p.keys)).toEqual([['a'], ['b']]);
    transport.pending[1]!.finish();
    await sends;
  });

  it('splits a send above maxRequestBytes into consecutive requests', async () => {
    const transport = fakeTransport();
    const sink = new KafkaSink({ transport, maxRequestBytes: 250 });
    await sink.send(['a', 'b', 'c', 'd', 'e'].map((k) => result(k)));
    expect(shape(transport.sends)).toEqual([{ rms: ['a', 'b'] }, { rms: ['c', 'd'] }, { rms: ['e'] }]);
  });

  it('sends a batch of 1,000 results of a kilobyte each, as sensor-rms makes them, in one request by default', async () => {
    const transport = fakeTransport();
    const sink = new KafkaSink({ transport });
    // About 940 bytes a result as the sink counts them: a whole batch is over 900 kB and under 1 MB.
    const value = JSON.stringify({ rms: Array.from({ length: 40 }, (_, i) => Math.sin(i) * 1e-3) }).slice(0, 860);
    const batch = Array.from({ length: 1_000 }, (_, i): OutputMessage => ({ kind: 'result', topic: 'rms', key: `device-${i % 10}`, value, headers: { 'content-type': 'application/json' } }));
    await sink.send(batch);
    expect(transport.sends).toHaveLength(1);
    expect(transport.sends[0]![0]!.messages).toHaveLength(1_000);
  });

  it("bounds each partition's share of a request, not the whole request, where the transport knows the partitions", async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `device-${i}`);
    const on = (p: number) => keys.filter((k) => partitionOf(k, 3) === p);
    const [p0, p1, p2] = [on(0), on(1), on(2)];
    const transport = { ...fakeTransport(), partitionCount: (topic: string) => (topic === 'rms' ? 3 : undefined) };
    const sink = new KafkaSink({ transport, maxRequestBytes: 250 });
    // Each result is about 110 bytes: two per partition fit under the bound, 660 bytes in all.
    const first = [p0[0]!, p1[0]!, p2[0]!, p0[1]!, p1[1]!, p2[1]!];
    await sink.send(first.map((k) => result(k)));
    expect(shape(transport.sends)).toEqual([{ rms: first }]);
    // A third result for partition 0 starts the next request; a topic without known partitions
    // (logs, 117 bytes each) counts against the whole request's bound.
    await sink.send([...first.map((k) => result(k)), result(p0[2]!), log(1, 50), log(2, 50), log(3, 50)]);
    expect(shape(transport.sends.slice(1))).toEqual([{ rms: first }, { rms: [p0[2]!], logs: ['fn', 'fn'] }, { logs: ['fn'] }]);
  });

  it('flushes logs and closes the client on close, then refuses to send', async () => {
    const transport = fakeTransport();
    const sink = new KafkaSink({ transport, logFlushIntervalMs: 60_000 });
    sink.log(log(1));
    await sink.close();
    expect(shape(transport.sends)).toEqual([{ logs: ['fn'] }]);
    expect(transport.closed).toBe(true);
    await expect(sink.send([result('a')])).rejects.toThrow('the Kafka sink is closed');
  });

});
