import { describe, expect, it } from 'vitest';
import { EventError } from '../errors.ts';
import { mskEvent, selfManagedKafkaEvent } from './build.ts';
import { parseKafkaEvent, splitPartitionKey } from './parse.ts';
import { headerText } from './types.ts';

/** A self-managed event exactly as Lambda documents it (header bytes signed, key absent in one). */
const documentedSelfManaged = {
  eventSource: 'SelfManagedKafka',
  bootstrapServers: 'b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092,b-1.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092',
  records: {
    'my-topic-name-0': [
      {
        topic: 'my-topic-name',
        partition: 0,
        offset: 16,
        timestamp: 1545084650987,
        timestampType: 'CREATE_TIME',
        key: 'a2V5',
        value: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
        headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }, { bin: [-1, -128, 0, 127] }],
      },
      { topic: 'my-topic-name', partition: 0, offset: 15, timestamp: 1545084650986, timestampType: 'LOG_APPEND_TIME', value: 'AA==', headers: [] },
    ],
  },
};

describe('parseKafkaEvent', () => {
  it('decodes a self-managed event: dashes in topics, signed header bytes, absent key, offset order', () => {
    const parsed = parseKafkaEvent(documentedSelfManaged);
    expect(parsed.eventSource).toBe('SelfManagedKafka');
    expect(parsed.bootstrapServers).toHaveLength(2);
    expect(parsed.partitions).toHaveLength(1);
    const [partition] = parsed.partitions;
    expect(partition!.topic).toBe('my-topic-name');
    expect(partition!.partition).toBe(0);
    expect(partition!.records.map((r) => r.offset)).toEqual([15, 16]);
    const [first, second] = partition!.records;
    expect(first!.key).toBeNull();
    expect([...first!.value]).toEqual([0]);
    expect(second!.key!.toString()).toBe('key');
    expect(second!.value.toString()).toBe('Hello, this is a test.');
    expect(headerText(second!, 'HEADERKEY')).toBe('headerValue');
    expect([...second!.headers[1]!.value]).toEqual([255, 128, 0, 127]);
  });

  it('decodes an MSK event with several partitions and keeps the cluster ARN', () => {
    const event = mskEvent([
      { topic: 'a-b-c', partition: 2, key: 'k', value: { x: 1 } },
      { topic: 'a-b-c', partition: 10, value: new Uint8Array([0, 255, 1]) },
      { topic: 'a-b-c', partition: 2, key: 'k', value: 'two' },
    ]);
    expect(Object.keys(event.records)).toEqual(['a-b-c-2', 'a-b-c-10']);
    const parsed = parseKafkaEvent(event);
    expect(parsed.eventSource).toBe('aws:kafka');
    expect(parsed.eventSourceArn).toMatch(/^arn:aws:kafka:/);
    expect(parsed.recordCount).toBe(3);
    expect(parsed.partitions.map((p) => [p.topic, p.partition, p.records.map((r) => r.offset)])).toEqual([
      ['a-b-c', 2, [0, 1]],
      ['a-b-c', 10, [0]],
    ]);
    expect(JSON.parse(parsed.partitions[0]!.records[0]!.value.toString())).toEqual({ x: 1 });
    expect([...parsed.partitions[1]!.records[0]!.value]).toEqual([0, 255, 1]);
  });

  it('builds self-managed events with the same records', () => {
    const parsed = parseKafkaEvent(selfManagedKafkaEvent([{ key: 'k', value: 'v', headers: { h: 'é' } }], { topic: 't' }));
    expect(parsed.eventSource).toBe('SelfManagedKafka');
    expect(headerText(parsed.partitions[0]!.records[0]!, 'h')).toBe('é');
  });

  it('rejects what is not a Kafka event with a clear error', () => {
    expect(() => parseKafkaEvent({ Records: [] })).toThrow(EventError);
    expect(() => parseKafkaEvent({ eventSource: 'aws:kafka', records: { nopartition: [] } })).toThrow(/not "<topic>-<partition>"/);
  });

  it('splits record group names at the last dash', () => {
    expect(splitPartitionKey('my-topic-12')).toEqual({ topic: 'my-topic', partition: 12 });
    expect(() => splitPartitionKey('-3')).toThrow(EventError);
  });
});
