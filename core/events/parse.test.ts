import { describe, expect, it } from 'vitest';
import { EventError } from '../errors.ts';
import { mskEvent, selfManagedKafkaEvent } from './build.ts';
import { parseKafkaEvent, splitPartitionKey } from './parse.ts';
import { headerText } from './types.ts';
import { documentedEvent } from '../testing/fixtures.ts';

describe('parseKafkaEvent', () => {
  it('decodes the documented MSK event: partitions, dashes in topics, signed header bytes, the cluster ARN', () => {
    const parsed = parseKafkaEvent(documentedEvent('msk'));
    expect(parsed.eventSource).toBe('aws:kafka');
    expect(parsed.eventSourceArn).toMatch(/^arn:aws:kafka:eu-west-1:123456789012:cluster\/sensors\//);
    expect(parsed.bootstrapServers).toEqual([
      'b-1.sensors.x1y2z3.c2.kafka.eu-west-1.amazonaws.com:9098',
      'b-2.sensors.x1y2z3.c2.kafka.eu-west-1.amazonaws.com:9098',
    ]);
    expect(parsed.recordCount).toBe(3);
    expect(parsed.partitions.map((p) => [p.topic, p.partition, p.records.map((r) => r.offset)])).toEqual([
      ['sensor-readings', 0, [41, 42]],
      ['sensor-readings', 1, [7]],
    ]);
    const [first] = parsed.partitions[0]!.records;
    expect(first!.key!.toString()).toBe('dev-1');
    expect(JSON.parse(first!.value.toString())).toEqual({ deviceId: 'dev-1', sampleRate: 100, data: [1, 2, 3] });
    expect(headerText(first!, 'Content-Type')).toBe('application/json');
    expect(headerText(first!, 'traceparent')).toMatch(/^00-4bf92f35/);
    const raw = parsed.partitions[1]!.records[0]!;
    expect(raw.timestampType).toBe('LOG_APPEND_TIME');
    expect([...raw.headers[1]!.value]).toEqual([255, 128, 0, 127]);
    expect(Array.from(new Float32Array(raw.value.buffer.slice(raw.value.byteOffset, raw.value.byteOffset + raw.value.byteLength)))).toEqual([0.5, -1.25, 3]);
  });

  it('decodes the documented self-managed event: no ARN, a record without a key', () => {
    const parsed = parseKafkaEvent(documentedEvent('self-managed'));
    expect(parsed.eventSource).toBe('SelfManagedKafka');
    expect(parsed.eventSourceArn).toBeUndefined();
    expect(parsed.bootstrapServers).toHaveLength(2);
    const [partition] = parsed.partitions;
    expect([partition!.topic, partition!.partition]).toEqual(['raw-audio-ch-1', 0]);
    expect(partition!.records[1]!.key).toBeNull();
    expect(partition!.records[1]!.value.toString()).toBe('[9,8,7]');
    expect(headerText(partition!.records[0]!, 'trace-id')).toBe('a1b2c3');
  });

  it('decodes records with schema metadata, a null key and a tombstone', () => {
    const parsed = parseKafkaEvent(documentedEvent('msk-schema-registry'));
    const records = parsed.partitions[0]!.records;
    expect(records.map((r) => r.offset)).toEqual([3, 4, 5]);
    expect(records[1]!.key).toBeNull();
    expect(records[2]!.value).toHaveLength(0);
    expect(records[0]!.keySchemaMetadata).toEqual({ dataFormat: 'JSON', schemaId: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' });
    expect(records[1]!.valueSchemaMetadata).toEqual({ dataFormat: 'AVRO', schemaId: '1234' });
    expect(records[1]!.keySchemaMetadata).toBeUndefined();
  });

  it('sorts each partition by offset and hands out a fresh copy of a fixture per call', () => {
    const event = documentedEvent('msk');
    const records = event.records['sensor-readings-0']!;
    records.reverse();
    expect(parseKafkaEvent(event).partitions[0]!.records.map((r) => r.offset)).toEqual([41, 42]);
    expect(documentedEvent('msk').records['sensor-readings-0']!.map((r) => r.offset)).toEqual([41, 42]);
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

  it('tells a tombstone (no value) from an empty value', () => {
    const parsed = parseKafkaEvent(documentedEvent('msk-schema-registry'));
    expect(parsed.partitions[0]!.records.map((r) => r.tombstone)).toEqual([false, false, true]);
    const [empty, tombstone] = parseKafkaEvent(mskEvent([{ key: 'k', value: '' }, { key: 'k' }], { topic: 't' })).partitions[0]!.records;
    expect(empty).toMatchObject({ tombstone: false, value: Buffer.alloc(0) });
    expect(tombstone).toMatchObject({ tombstone: true, value: Buffer.alloc(0) });
  });

  it('throws an EventError naming where, not a TypeError, for records it cannot locate', () => {
    const withRecords = (records: unknown[]) => ({ eventSource: 'aws:kafka', records: { 'in-3': records } });
    const cases: Array<[unknown, RegExp]> = [
      [withRecords([null]), /record 0 of in-3 is not an object/],
      [withRecords([{ ...mskEvent([{ value: 1 }], { topic: 'in' }).records['in-0']![0], offset: '7' }]), /record 0 of in-3 has no valid offset/],
      [withRecords([{ offset: 4, timestamp: 1 }, { offset: 4, timestamp: 2 }]), /offset 4 appears twice in in-3/],
      [{ eventSource: 'aws:kafka', records: { 'in-3': 'x' } }, /record group in-3 is not a list/],
      [{ eventSource: 'aws:kafka', records: [] }, /not a Kafka event/],
    ];
    for (const [event, reason] of cases) {
      const error = (() => {
        try {
          parseKafkaEvent(event);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(EventError);
      expect((error as Error).message).toMatch(reason);
    }
  });

  it('sets aside records it can locate but whose fields are malformed, keeping what they held as bytes', () => {
    const base = mskEvent([{ key: 'k', value: [1, 2] }], { topic: 'in' }).records['in-0']![0]!;
    const event = {
      eventSource: 'aws:kafka',
      records: {
        'in-0': [
          { ...base, offset: 0, value: 12345 },
          { ...base, offset: 1, value: 'not base64!' },
          { ...base, offset: 2, key: { id: 1 } },
          { ...base, offset: 3, headers: [{ h: [1, 'x'] }] },
          { ...base, offset: 4, timestamp: 'yesterday' },
          { ...base, offset: 5 },
        ],
      },
    };
    const parsed = parseKafkaEvent(event);
    expect(parsed.partitions[0]!.records.map((r) => r.offset)).toEqual([5]);
    expect(parsed.recordCount).toBe(6);
    expect(parsed.malformed.map(({ record, error }) => [record.offset, error.code, error.message, error.record])).toEqual([
      [0, 'DSPFN_DECODE', 'malformed record: value is not base64 text', { topic: 'in', partition: 0, offset: 0 }],
      [1, 'DSPFN_DECODE', 'malformed record: value is not valid base64 (the dead letter carries its text)', { topic: 'in', partition: 0, offset: 1 }],
      [2, 'DSPFN_DECODE', 'malformed record: key is not base64 text', { topic: 'in', partition: 0, offset: 2 }],
      [3, 'DSPFN_DECODE', 'malformed record: header 0 is not a list of bytes', { topic: 'in', partition: 0, offset: 3 }],
      [4, 'DSPFN_DECODE', 'malformed record: timestamp is not a number', { topic: 'in', partition: 0, offset: 4 }],
    ]);
    const [number, text, key] = parsed.malformed.map((m) => m.record);
    expect([number!.value.toString(), text!.value.toString(), key!.key!.toString()]).toEqual(['12345', 'not base64!', '{"id":1}']);
  });

  it('splits record group names at the last dash', () => {
    expect(splitPartitionKey('my-topic-12')).toEqual({ topic: 'my-topic', partition: 12 });
    expect(() => splitPartitionKey('-3')).toThrow(EventError);
  });
});
