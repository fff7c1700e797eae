// KafkaSink against the real broker: what lands where, acknowledged before send returns,
// failures reject (never hang), and credentials never reach errors or logs.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SinkError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger/logger.ts';
import { KafkaSink } from '../../core/sink/kafka.ts';
import { lz4Codec, zstdCodec, type KafkajsCodec } from '../../core/kafka/compression.ts';
import type { OutputMessage } from '../../core/sink/sink.ts';
import { startKafka, type KafkaServer } from '../servers/kafka.ts';
import { createTopics, endOffsets, readTopics, unique } from './kafka-support.ts';
import zlib from 'node:zlib';

const hasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message, fields) => void lines.push(JSON.stringify({ level, message, ...fields })) };
}

describe('KafkaSink', () => {
  const brokers = inject('kafkaBrokers');
  const sinks: KafkaSink[] = [];
  let privateBroker: KafkaServer | undefined;

  afterAll(async () => {
    await Promise.allSettled(sinks.map((s) => s.close()));
    await privateBroker?.stop();
  });

  it('delivers results, logs and dead letters with their keys and headers, acknowledged before send returns', async () => {
    const results = unique('sink-results');
    const logs = unique('sink-logs');
    const dlq = unique('sink-dlq');
    await createTopics(brokers, { [results]: 3, [logs]: 1, [dlq]: 1 });
    const sink = new KafkaSink({ brokers, logFlushIntervalMs: 60_000 });
    sinks.push(sink);

    const result = (key: string, n: number): OutputMessage => ({
      kind: 'result',
      topic: results,
      key,
      value: JSON.stringify({ key, n }),
      headers: { 'content-type': 'application/json', 'dspfn-source-offset': String(n), traceparent: Buffer.from('00-abc-01') },
    });
    const deadLetter: OutputMessage = {
      kind: 'dead-letter',
      topic: dlq,
      key: Buffer.from([0x00, 0xff, 0x80]),
      value: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      headers: { 'dspfn-error-code': 'DSPFN_DECODE', raw: Buffer.from([0xff, 0x01]) },
    };
    const log = (n: number): OutputMessage => ({ kind: 'log', topic: logs, key: 'fn', value: `{"batch":${n}}`, headers: {} });

    sink.log(log(1));
    await sink.send([result('dev-1', 1), result('dev-2', 2), deadLetter, result('dev-1', 3), log(2)]);
    // Acknowledged with acks=all: the high watermarks already include every message.
    expect((await endOffsets(brokers, results)).reduce((a, b) => a + b, 0)).toBe(3);
    expect(await endOffsets(brokers, logs)).toEqual([2]);
    expect(await endOffsets(brokers, dlq)).toEqual([1]);

    const out = await readTopics(brokers, [results, logs, dlq], 6);
    const byTopic = (t: string) => out.filter((m) => m.topic === t);
    const got = byTopic(results).sort((a, b) => JSON.parse(a.value.toString()).n - JSON.parse(b.value.toString()).n);
    expect(got.map((m) => [m.key, m.value.toString(), m.headers])).toEqual(
      [1, 2, 3].map((n) => [
        n === 2 ? 'dev-2' : 'dev-1',
        JSON.stringify({ key: n === 2 ? 'dev-2' : 'dev-1', n }),
        { 'content-type': 'application/json', 'dspfn-source-offset': String(n), traceparent: '00-abc-01' },
      ]),
    );
    // Keyed: one key, one partition, in send order.
    expect(got[0]!.partition).toBe(got[2]!.partition);
    expect(got[0]!.offset).toBeLessThan(got[2]!.offset);
    expect(byTopic(logs).map((m) => m.value.toString())).toEqual(['{"batch":1}', '{"batch":2}']);
    const [letter] = byTopic(dlq);
    expect(letter!.value).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(letter!.headers['dspfn-error-code']).toBe('DSPFN_DECODE');
  });

  // zstd needs Node >= 22.15: `npm run test:kafka:node22` runs this file on Node 22 as part of `npm test`.
  const compressions: Array<'lz4' | 'zstd' | 'gzip'> = ['lz4', ...(hasZstd ? (['zstd'] as const) : []), 'gzip'];
  for (const compression of compressions) {
    it(`compresses record batches with ${compression}: the broker stores them compressed and a consumer reads them back`, async () => {
      const topic = unique(`sink-${compression}`);
      await createTopics(brokers, { [topic]: 2 });
      const sink = new KafkaSink({ brokers, compression, logger: capture() });
      sinks.push(sink);
      const messages = Array.from({ length: 200 }, (_, i): OutputMessage => ({
        kind: 'result',
        topic,
        key: `dev-${i % 5}`,
        value: JSON.stringify({ deviceId: `dev-${i % 5}`, i, rms: [0.1, 0.25, i] }),
        headers: { 'content-type': 'application/json', 'dspfn-source-offset': String(i) },
      }));
      await sink.send(messages);
      // Read back with kafkajs and dspfn's codecs (whichever client produced): counting the
      // decompressions proves the fetched batches came back compressed, i.e. the broker kept them so.
      const { CompressionCodecs, CompressionTypes } = await import('kafkajs');
      const type = ({ lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD, gzip: CompressionTypes.GZIP } as const)[compression];
      const original = CompressionCodecs[type];
      const codec: KafkajsCodec = compression === 'lz4' ? await lz4Codec() : compression === 'zstd' ? zstdCodec : (original() as KafkajsCodec);
      let decompressed = 0;
      CompressionCodecs[type] = () => ({ ...codec, decompress: (buffer: Buffer) => (decompressed++, codec.decompress(buffer)) });
      try {
        const read = await readTopics(brokers, [topic], 200);
        expect(read.map((m) => m.value.toString()).sort()).toEqual(messages.map((m) => String(m.value)).sort());
        expect(read.every((m) => m.headers['content-type'] === 'application/json')).toBe(true);
      } finally {
        CompressionCodecs[type] = original;
      }
      expect(decompressed).toBeGreaterThan(0);
    });
  }

  it('keeps binary keys and header bytes exactly', async () => {
    const topic = unique('sink-binary');
    await createTopics(brokers, { [topic]: 1 });
    const sink = new KafkaSink({ brokers });
    sinks.push(sink);
    await sink.send([{ kind: 'dead-letter', topic, key: Buffer.from([0x00, 0xff, 0x80]), value: Buffer.from([1]), headers: { raw: Buffer.from([0xff, 0x01, 0x80]) } }]);
    const { Kafka, logLevel } = await import('kafkajs');
    const consumer = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).consumer({ groupId: unique('sink-binary'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const message = await new Promise<{ key: Buffer | null; headers: unknown }>((resolve) => {
      void consumer.run({ eachMessage: async ({ message: m }) => resolve({ key: m.key, headers: m.headers }) });
    });
    await consumer.disconnect();
    expect(message.key).toEqual(Buffer.from([0x00, 0xff, 0x80]));
    expect(message.headers).toEqual({ raw: Buffer.from([0xff, 0x01, 0x80]) });
  });

  it('flushes logged messages on its own after the interval', async () => {
    const topic = unique('sink-log-interval');
    await createTopics(brokers, { [topic]: 1 });
    const sink = new KafkaSink({ brokers, logFlushIntervalMs: 100 });
    sinks.push(sink);
    await sink.send([]); // connect first, so the interval is the only wait
    sink.log({ kind: 'log', topic, key: null, value: 'a', headers: {} });
    sink.log({ kind: 'log', topic, key: null, value: 'b', headers: {} });
    expect(await endOffsets(brokers, topic)).toEqual([0]);
    const deadline = Date.now() + 5_000;
    while ((await endOffsets(brokers, topic))[0] !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await endOffsets(brokers, topic)).toEqual([2]);
  });

  it('rejects a produce that fails, without the password in the error or any log line', async () => {
    const password = 'scram-secret-Zx81q';
    const logger = capture();
    // The test broker has no SASL listener: authentication fails for real, inside kafkajs.
    const sink = new KafkaSink({ brokers, auth: 'scram-sha-512', tls: false, username: 'svc', password, logger, retry: { retries: 0 }, produceRetries: 1 });
    const error = await sink.send([{ kind: 'result', topic: 'never', key: 'k', value: 'v', headers: {} }]).catch((e: unknown) => e);
    await sink.close();
    expect(error).toBeInstanceOf(SinkError);
    expect((error as Error).message).toMatch(/^Kafka produce of 1 message\(s\) to never failed: /);
    const everything = [(error as Error).message, String((error as Error).stack), JSON.stringify(error), ...logger.lines].join('\n');
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(password);
  });

  it('rejects once its retry budget is spent when the broker is gone (stopped private broker)', async () => {
    privateBroker = await startKafka();
    const topic = unique('sink-gone');
    await createTopics(privateBroker.brokers, { [topic]: 1 });
    const sink = new KafkaSink({ brokers: privateBroker.brokers, connectionTimeoutMs: 500, requestTimeoutMs: 2_000, retry: { retries: 1, initialRetryTime: 100 }, produceRetries: 2, logger: capture() });
    sinks.push(sink);
    await sink.send([{ kind: 'result', topic, key: 'k', value: 'before', headers: {} }]);
    await privateBroker.stop();
    await expect(sink.send([{ kind: 'result', topic, key: 'k', value: 'after', headers: {} }])).rejects.toBeInstanceOf(SinkError);
  }, 90_000);
  it('warm() connects to configured brokers ahead of the first send, and only loads the client when brokers come from events', async () => {
    const topic = unique('sink-warm');
    await createTopics(brokers, { [topic]: 1 });
    const sink = new KafkaSink({ brokers, logger: capture() });
    sinks.push(sink);
    await sink.warm();
    await sink.send([{ kind: 'result', topic, key: 'k', value: 'v', headers: {} }]);
    expect(await endOffsets(brokers, topic)).toEqual([1]);

    // Nothing listens on port 1: a warm-up that connects must fail, with the reason.
    const refused = new KafkaSink({ brokers: '127.0.0.1:1', connectionTimeoutMs: 300, retry: { retries: 0 }, logger: capture() });
    sinks.push(refused);
    await expect(refused.warm()).rejects.toThrow(/Kafka warm-up failed: .*ECONNREFUSED|Kafka warm-up failed: .*Connection error/);

    // Brokers from the event are unknown at init: the warm-up loads kafkajs and connects to nothing.
    const fromEvents = new KafkaSink({ logger: capture() });
    sinks.push(fromEvents);
    await expect(fromEvents.warm()).resolves.toBeUndefined();
  });
});
