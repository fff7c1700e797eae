// Checks that the test broker (test/servers/kafka.ts) behaves like a real
// Kafka for what dspfn relies on: multi-partition topics, idempotent acks=all
// producing, consumer groups, key-to-partition affinity and per-partition order.
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const MESSAGES = 100;
const KEYS = 20;
const PARTITIONS = 3;

interface Received {
  key: string;
  seq: number;
  partition: number;
  offset: bigint;
}

describe('Kafka test broker', () => {
  const brokers = inject('kafkaBrokers');
  const kafka = new Kafka({ clientId: 'dspfn-broker-test', brokers: [brokers], logLevel: logLevel.WARN });
  const suffix = randomUUID().slice(0, 8);
  const topic = `dspfn-it-broker-${suffix}`;
  const groupId = `dspfn-it-group-${suffix}`;

  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin?.disconnect();
  });

  it('is reachable at the address given to tests', () => {
    expect(brokers).toMatch(/^[\w.-]+:\d+$/);
    expect(process.env.DSPFN_TEST_KAFKA_BROKERS).toBe(brokers);
  });

  it('round-trips keyed messages through an idempotent producer and a consumer group', async () => {
    expect(
      await admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
    ).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(PARTITIONS);

    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // Sequential batches, so "produce order" is well defined across sends.
    for (let batch = 0; batch < MESSAGES / 10; batch++) {
      const messages = Array.from({ length: 10 }, (_, i) => {
        const seq = batch * 10 + i;
        return { key: `key-${seq % KEYS}`, value: JSON.stringify({ seq }) };
      });
      const acks = await producer.send({ topic, acks: -1, messages });
      expect(acks.every((r) => r.errorCode === 0)).toBe(true);
    }

    const received: Received[] = [];
    // A short fetch long-poll: disconnect() waits for the in-flight fetch.
    consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const allArrived = new Promise<void>((resolve) => {
      void consumer!.run({
        eachMessage: async ({ partition, message }) => {
          const { seq } = JSON.parse(message.value!.toString()) as { seq: number };
          received.push({ key: message.key!.toString(), seq, partition, offset: BigInt(message.offset) });
          if (received.length === MESSAGES) resolve();
        },
      });
    });
    await allArrived;
    // Give a duplicate (which would break idempotence) a moment to show up.
    await new Promise((r) => setTimeout(r, 500));
    await consumer.disconnect();
    consumer = undefined;

    expect(received).toHaveLength(MESSAGES);
    expect(received.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i));
    for (const r of received) expect(r.key).toBe(`key-${r.seq % KEYS}`);

    const partitionOfKey = new Map<string, number>();
    for (const r of received) {
      expect(partitionOfKey.get(r.key) ?? r.partition).toBe(r.partition);
      partitionOfKey.set(r.key, r.partition);
    }

    const byPartition = new Map<number, Received[]>();
    for (const r of received) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
    // 20 keys under murmr2 land on every one of the 3 partitions.
    expect([...byPartition.keys()].sort()).toEqual([0, 1, 2]);
    for (const [, records] of byPartition) {
      // Offsets start at 0 with no gaps (no aborted or duplicate writes) and
      // arrive in order, matching the order they were produced in.
      expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => BigInt(i)));
      const seqs = records.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }

    // The group committed everything it consumed.
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(total).toBe(MESSAGES);
  });
});
