// The fast produce path (record batches written by core/kafka/record-batch.ts, sent by
// @platformatic/kafka's idempotent producer) against the real broker: every byte read back as sent,
// sequence numbers that advance per partition, and a retried request kept once.
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { fastProduceProducer, GET_API, PartitionRecords, symbolOf } from '../../core/kafka/platformatic-fast-produce.ts';
import { platformaticOptions, platformaticProducer, platformaticSupported } from '../../core/kafka/platformatic-producer.ts';
import type { OutgoingMessage, ProduceTransport } from '../../core/kafka/producer.ts';
import { KafkaSink, OWN_WRITE_MESSAGES } from '../../core/sink/kafka.ts';
import type { OutputMessage } from '../../core/sink/sink.ts';
import { createTopics, endOffsets, readTopics, unique, type Received } from './kafka-support.ts';

type Library = typeof import('@platformatic/kafka');
type Callback = (error: Error | null, response?: unknown) => void;
type Api = ((connection: unknown, acks: number, timeout: number, messages: unknown[], options: { sequences?: Map<string, number> }, callback: Callback) => void) & {
  dspfnEncoder?: true;
};

const total = (offsets: number[]) => offsets.reduce((a, b) => a + b, 0);

/** What a consumer reads for a message, sent as `message`. */
function expected(topic: string, m: OutgoingMessage): Pick<Received, 'topic' | 'key' | 'value' | 'headers'> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers)) headers[name] = String(value);
  return { topic, key: m.key === null ? null : String(m.key), value: m.value === null ? Buffer.alloc(0) : Buffer.from(m.value), headers };
}

describe('fast produce path (@platformatic/kafka + dspfn record batches)', () => {
  const brokers = inject('kafkaBrokers');
  const transports: ProduceTransport[] = [];
  const closers: Array<() => Promise<void>> = [];

  afterAll(async () => {
    await Promise.allSettled([...transports.map((t) => t.close()), ...closers.map((c) => c())]);
  });

  it('finds the Produce API hook in the installed client (without it, sends take the client\'s own encoder)', async () => {
    const lib = (await import('@platformatic/kafka')) as Library;
    expect(symbolOf(lib.Producer.prototype, GET_API)).toBeDefined();
    expect(fastProduceProducer(lib)).toBeDefined();
  });

  // @platformatic/kafka runs on Node >= 22.22: `npm run test:kafka:node22` runs these as part of `npm test`.
  for (const client of platformaticSupported() ? ['@platformatic/kafka'] : []) {
    for (const encoder of ['dspfn', 'client'] as const) {
      it(`${client}, ${encoder === 'dspfn' ? "dspfn's" : "the client's own"} record encoder: writes batches the broker accepts, send after send, and consumers read back every key, value and header as sent`, async () => {
        const a = unique(`fast-a-${encoder}`);
        const b = unique(`fast-b-${encoder}`);
        await createTopics(brokers, { [a]: 3, [b]: 2 });
        const transport = platformaticProducer({ brokers }, encoder);
        transports.push(transport);
        const message = (i: number): OutgoingMessage => ({
          key: i % 7 === 0 ? null : i % 5 === 0 ? Buffer.from(`bin-${i % 3}`) : `dev-${i % 4}`,
          value: i % 11 === 0 ? '' : i % 3 === 0 ? Buffer.from(JSON.stringify({ i, bytes: true })) : JSON.stringify({ i, text: 'naïve 𝄞 — ok', rms: [0.1, i / 3] }),
          headers: {
            'content-type': 'application/json',
            // Same value for many messages in a row (the encoded header is reused), then a new one.
            'dspfn-source-partition': String(Math.floor(i / 10)),
            'dspfn-source-offset': String(i),
            ...(i % 2 === 0 ? { traceparent: Buffer.from(`00-${i}-01`), 'x-ünïcode': 'ça va' } : {}),
          },
        });
        const sent: Array<{ topic: string; m: OutgoingMessage }> = [];
        // Several sends on one producer: each partition's sequence numbers continue from the last send.
        for (let round = 0; round < 4; round++) {
          const batch = Array.from({ length: 60 }, (_, j) => round * 60 + j);
          const toA = batch.filter((i) => i % 4 !== 3).map((i) => message(i));
          const toB = batch.filter((i) => i % 4 === 3).map((i) => message(i));
          await transport.send([
            { topic: a, messages: toA },
            { topic: b, messages: toB },
          ]);
          sent.push(...toA.map((m) => ({ topic: a, m })), ...toB.map((m) => ({ topic: b, m })));
        }
        expect(total(await endOffsets(brokers, a)) + total(await endOffsets(brokers, b))).toBe(sent.length);
        const read = await readTopics(brokers, [a, b], sent.length);
        const key = (m: { topic: string; headers: Record<string, string> }) => `${m.topic}/${m.headers['dspfn-source-offset']}`;
        const byOffset = new Map(read.map((m) => [key(m), m]));
        for (const { topic, m } of sent) {
          const want = expected(topic, m);
          const got = byOffset.get(key(want))!;
          expect({ topic: got.topic, key: got.key, value: got.value, headers: got.headers }).toEqual(want);
        }
        // Per key, one partition, in send order.
        const order = new Map<string, number[]>();
        for (const m of [...read].sort((x, y) => x.offset - y.offset)) {
          if (m.key === null) continue;
          const list = order.get(`${m.topic}/${m.key}`) ?? [];
          list.push(Number(m.headers['dspfn-source-offset']));
          order.set(`${m.topic}/${m.key}`, list);
          expect(new Set(read.filter((r) => r.topic === m.topic && r.key === m.key).map((r) => r.partition)).size).toBe(1);
        }
        for (const list of order.values()) expect(list).toEqual([...list].sort((x, y) => x - y));
        // Where the Java client and kafkajs put each key (murmur2), whoever hashes it.
        const partitioner = Partitioners.DefaultPartitioner();
        for (const m of read) {
          if (m.key === null) continue;
          const count = m.topic === a ? 3 : 2;
          const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
          expect(m.partition, `${m.topic}/${m.key}`).toBe(partitioner({ topic: m.topic, partitionMetadata, message: { key: m.key, value: null } }));
        }
      });
    }

    it(`${client}: KafkaSink sends large batches with two requests in flight on one idempotent producer: every result once, each send's results in order per partition`, async () => {
      const topic = unique('fast-concurrent');
      await createTopics(brokers, { [topic]: 3 });
      const client = platformaticProducer({ brokers });
      expect(client.concurrentSends).toBe(2);
      let inFlight = 0;
      let mostInFlight = 0;
      const transport: ProduceTransport = {
        ...client,
        async send(batches, eventBrokers) {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          try {
            await client.send(batches, eventBrokers);
          } finally {
            inFlight--;
          }
        },
      };
      const sink = new KafkaSink({ transport });
      closers.push(() => sink.close());
      // Six large sends at once, as six partitions' batches would finish together, then six more;
      // keys shared between sends, so every output partition gets records of many sends.
      const size = OWN_WRITE_MESSAGES;
      const send = (n: number) => {
        const messages = Array.from({ length: size }, (_, i): OutputMessage => ({ kind: 'result', topic, key: `dev-${i % 9}`, value: `${n}:${i}`, headers: { send: String(n) } }));
        return sink.send(messages);
      };
      await Promise.all(Array.from({ length: 6 }, (_, n) => send(n)));
      await Promise.all(Array.from({ length: 6 }, (_, n) => send(6 + n)));
      expect(mostInFlight).toBe(2);
      expect(total(await endOffsets(brokers, topic))).toBe(12 * size);
      const read = await readTopics(brokers, [topic], 12 * size);
      expect(read.map((m) => m.value.toString()).sort()).toEqual(Array.from({ length: 12 * size }, (_, j) => `${Math.floor(j / size)}:${j % size}`).sort());
      // Within a partition, one send's records keep their order.
      for (const partition of [0, 1, 2]) {
        const inPartition = read.filter((m) => m.partition === partition).sort((x, y) => x.offset - y.offset);
        for (let n = 0; n < 12; n++) {
          const order = inPartition.filter((m) => m.headers.send === String(n)).map((m) => Number(m.value.toString().split(':')[1]));
          expect(order).toEqual([...order].sort((x, y) => x - y));
        }
      }
    });

    it(`${client}: retries a request whose response was lost with the same sequence numbers, and the broker keeps one copy`, async () => {
      const topic = unique('fast-retry');
      await createTopics(brokers, { [topic]: 2 });
      const lib = (await import('@platformatic/kafka')) as Library;
      const Fast = fastProduceProducer(lib);
      expect(Fast).toBeDefined();
      const getApi = symbolOf(lib.Producer.prototype, GET_API)!;
      const calls: Array<{ fast: boolean; sequences: Array<[string, number]> }> = [];
      let dropNextResponse = true;
      // The test's own layer over the fast API: it sees each attempt, and turns the first
      // acknowledged one into a lost response (a retriable network error) after the broker took it.
      class LosesOneResponse<K, V, HK, HV> extends Fast!<K, V, HK, HV> {}
      const fastGetApi = (Fast!.prototype as unknown as Record<symbol, (name: string, cb: (e: Error | null, api?: Api) => void) => void>)[getApi]!;
      Object.defineProperty(LosesOneResponse.prototype, getApi, {
        value(this: unknown, name: string, callback: (error: Error | null, api?: Api) => void) {
          fastGetApi.call(this, name, (error, api) => {
            if (error || !api || name !== 'Produce') return callback(error, api);
            const flaky: Api = (connection, acks, timeout, messages, options, done) => {
              calls.push({ fast: api.dspfnEncoder === true, sequences: [...(options.sequences ?? new Map())].sort() });
              api(connection, acks, timeout, messages, options, (e, response) => {
                if (!e && dropNextResponse) {
                  dropNextResponse = false;
                  done(new lib.NetworkError('response lost (injected by the test)'));
                  return;
                }
                done(e, response);
              });
            };
            callback(null, flaky);
          });
        },
      });
      const producer = new LosesOneResponse<Buffer, PartitionRecords, Buffer, Buffer>({
        ...(await platformaticOptions({ brokers }, lib)),
        retryDelay: 10,
      } as ConstructorParameters<typeof LosesOneResponse<Buffer, PartitionRecords, Buffer, Buffer>>[0]);
      closers.push(() => producer.close());
      // As the sink sends them: one client message per partition, carrying that partition's records.
      const batch = (from: number) =>
        [0, 1].map((partition) => {
          const records = Array.from({ length: 10 }, (_, i): OutgoingMessage => ({ key: `k${partition}`, value: `v${from + partition * 10 + i}`, headers: { n: String(from + partition * 10 + i) } }));
          return { topic, partition, value: new PartitionRecords(records) };
        });
      await producer.send({ messages: batch(0) });
      // Sent twice (the lost response, then the retry), both by dspfn's encoder; had the retry taken new
      // sequence numbers (the records, not the client's two messages, are counted), the broker would
      // have appended a second copy, and a count of 2 instead of 20 would be refused as out of order next.
      expect(calls).toHaveLength(2);
      expect(calls.every((c) => c.fast)).toBe(true);
      expect(calls[1]!.sequences).toEqual(calls[0]!.sequences);
      expect(total(await endOffsets(brokers, topic))).toBe(20);
      // The next send continues the sequence: the broker accepts it (a gap or a repeat would be refused).
      await producer.send({ messages: batch(20) });
      expect(calls).toHaveLength(3);
      expect(total(await endOffsets(brokers, topic))).toBe(40);
      const read = await readTopics(brokers, [topic], 40);
      expect(read.map((m) => m.value.toString()).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
    });
  }
});
