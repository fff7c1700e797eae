// dspfn's fetch decoder inside kafkajs's consumer against the real broker: the records `consume`
// gets from it are those kafkajs's own decoder gives (through kafkaRecord), in every shape a topic holds.
import { CompressionTypes, Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import type { KafkaHeader, KafkaRecord } from '../../core/events/types.ts';
import { isFetchedRecord } from '../../core/kafka/fetch-decoder.ts';
import { fastFetchSocketFactory } from '../../core/kafka/kafkajs-fetch.ts';
import { fetchedRecord } from '../../core/local/kafka-records.ts';
import { client, createTopics, unique, waitFor } from './kafka-support.ts';

/** Every record of `topic` (read committed), as consume's eachBatch turns kafkajs's messages into KafkaRecords. */
async function readAll(kafka: Kafka, topic: string, count: number): Promise<KafkaRecord[]> {
  const consumer = kafka.consumer({ groupId: unique('g'), maxWaitTimeInMs: 50 });
  const records: KafkaRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages as KafkaMessage[]) records.push(fetchedRecord(batch.topic, batch.partition, message));
      },
    });
    await waitFor(() => records.length >= count, 20_000, `${count} records read`);
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** kafkajs folds headers by name: compared by name, each name's values in order. */
const byName = (headers: readonly KafkaHeader[]) => [...headers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

describe("dspfn's fetch decoder in kafkajs's consumer", () => {
  const brokers = inject('kafkaBrokers');

  it('reads what kafkajs reads: keys, tombstones, binary headers, gzip, committed transactions; aborted ones and markers left out', async () => {
    const topic = unique('fetch-decoder');
    await createTopics(brokers, { [topic]: 2 });
    const plain = client(brokers);
    const producer = plain.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const binary = Buffer.from([0, 255, 128, 10]);
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { partition: 0, key: 'k', value: 'v0', headers: { a: ['1', '2'], b: binary } },
        { partition: 0, key: null, value: null },
        { partition: 0, key: '', value: '' },
        { partition: 1, key: binary, value: binary, timestamp: '1700000000123' },
      ],
    });
    await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: Array.from({ length: 50 }, (_, i) => ({ partition: i % 2, key: `g${i}`, value: `gzip ${i}`, headers: { n: String(i) } })) });
    await producer.disconnect();

    const transactional = plain.producer({ transactionalId: unique('tx'), idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    const committed = await transactional.transaction();
    await committed.send({ topic, messages: [{ partition: 0, key: 'tx', value: 'committed' }] });
    await committed.commit();
    const aborted = await transactional.transaction();
    await aborted.send({ topic, messages: [{ partition: 0, key: 'tx', value: 'aborted' }, { partition: 1, key: 'tx', value: 'aborted' }] });
    await aborted.abort();
    await transactional.disconnect();
    const tail = plain.producer();
    await tail.connect();
    await tail.send({ topic, acks: -1, messages: [{ partition: 0, key: 'after', value: 'last' }, { partition: 1, key: 'after', value: 'last' }] });
    await tail.disconnect();
    const expected = 4 + 50 + 1 + 2;

    const theirs = await readAll(plain, topic, expected);
    const ours = await readAll(new Kafka({ clientId: 'dspfn-it', brokers: [brokers], logLevel: logLevel.NOTHING, socketFactory: fastFetchSocketFactory({ framed: true })! }), topic, expected);

    expect(theirs.some(isFetchedRecord)).toBe(false);
    expect(ours.every(isFetchedRecord)).toBe(true);
    expect(ours.length).toBe(expected);
    expect(ours.map((r) => r.value.toString())).not.toContain('aborted');
    expect(ours.map((r) => ({ ...r, headers: byName(r.headers), batchContext: undefined }))).toEqual(theirs.map((r) => ({ ...r, headers: byName(r.headers), batchContext: undefined })));
    const [first, tombstone, empty] = ours;
    expect(first!.headers).toEqual([
      { name: 'a', value: Buffer.from('1') },
      { name: 'a', value: Buffer.from('2') },
      { name: 'b', value: binary },
    ]);
    expect(tombstone).toMatchObject({ key: null, tombstone: true, value: Buffer.alloc(0) });
    expect(empty).toMatchObject({ key: Buffer.alloc(0), tombstone: false, value: Buffer.alloc(0) });
    expect(ours.find((r) => r.partition === 1)).toMatchObject({ key: binary, value: binary, timestamp: 1700000000123 });
  });
});
