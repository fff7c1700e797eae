import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avro } from '../codecs/avro.ts';
import { decodePayload } from '../codecs/payload.ts';
import { protobuf } from '../codecs/protobuf.ts';
import { DecodeError } from '../errors.ts';
import { kafkaRecord, type RecordInput } from '../events/build.ts';
import { parseKafkaEvent } from '../events/parse.ts';
import type { KafkaRecord } from '../events/types.ts';
import { isReadingsInput, readings } from './readings.ts';

function record(input: RecordInput): KafkaRecord {
  const event = { eventSource: 'aws:kafka', bootstrapServers: 'b:9092', records: { 'in-0': [kafkaRecord(input, { topic: 'in' })] } };
  return parseKafkaEvent(event).partitions[0]!.records[0]!;
}

const json = (r: KafkaRecord) => decodePayload('json', r.value);

// Seed 003's sensor reading message.
const iot = {
  deviceId: 'device-001',
  sensorType: 'temperature',
  value: 25.5,
  unit: '°C',
  timestamp: '2025-06-13T10:00:00.000Z',
  location: 'Assembly Line 1',
  status: 'normal',
  metadata: { firmware: '1.2.3', batteryLevel: 85 },
};

describe('readings()', () => {
  it('makes each record one frame of its value field at its ISO timestamp, keyed as asked, with the value as meta', () => {
    const input = readings({ key: (v) => `${v.deviceId as string}:${v.sensorType as string}`, value: 'value', timestamp: 'timestamp', sampleRate: 1 });
    const r = record({ key: 'device-001', value: iot, timestamp: 5 });
    expect(input(json(r), r)).toEqual({ key: 'device-001:temperature', samples: [25.5], timestamp: Date.UTC(2025, 5, 13, 10), sampleRate: 1, meta: iot });
    expect(isReadingsInput(input)).toBe(true);
    expect({ kind: input.kind, fields: input.fields, channels: input.channels, emit: input.emit }).toEqual({ kind: 'readings', fields: ['value'], channels: 1, emit: 'record' });
  });

  it('defaults: the record key, the "value" field and the record timestamp', () => {
    const input = readings();
    const r = record({ key: 'k-1', value: { value: -3 }, timestamp: 1_700_000_000_123 });
    expect(input(json(r), r)).toEqual({ key: 'k-1', samples: [-3], timestamp: 1_700_000_000_123, meta: { value: -3 } });
    const keyless = record({ value: { value: 1 } });
    expect(() => input(json(keyless), keyless)).toThrow(/record has no key \(readings key by the record key unless given `key`\)/);
  });

  it('several value fields are one channel each, in the order given; a key field may be a number; dotted paths reach nested fields', () => {
    const input = readings({ key: 'car', value: ['speed', 'throttle', 'metadata.brake'], timestamp: 'ts', emit: 'batch' });
    const r = record({ value: { car: 44, speed: 212.5, throttle: 0.75, metadata: { brake: 0 }, ts: 1_699_123_456_789 } });
    expect(input(json(r), r)).toMatchObject({ key: '44', samples: [212.5, 0.75, 0], timestamp: 1_699_123_456_789 });
    expect([input.channels, input.emit]).toEqual([3, 'batch']);
    // A field literally named "a.b" wins over the path.
    const literal = readings({ value: 'a.b' });
    const l = record({ key: 'k', value: { 'a.b': 7, a: { b: 8 } } });
    expect(literal(json(l), l).samples).toEqual([7]);
  });

  it('reads protobuf TelemetryFrames: three channels at the int64 epoch-millisecond timestamp, keyed by the record key (the session id)', async () => {
    const codec = protobuf({ schema: new URL('../codecs/fixtures/telemetry.proto', import.meta.url), type: 'telemetry.TelemetryFrame' });
    await codec.load();
    const bytes = await codec.encode({ timestamp: 1_699_123_456_789, speed: 212.5, throttle: 0.75, brake: 0.125, gear: 6 }, { kind: 'confluent', schemaId: 1 });
    const r = record({ key: 'session-abc123', value: bytes });
    const block = readings({ value: ['speed', 'throttle', 'brake'], timestamp: 'timestamp' })(codec.decode(r.value), r);
    expect(block).toMatchObject({ key: 'session-abc123', samples: [212.5, 0.75, 0.125], timestamp: 1_699_123_456_789 });
  });

  it('reads Avro records the same way', async () => {
    const codec = avro({ schema: { type: 'record', name: 'R', fields: [{ name: 'id', type: 'string' }, { name: 'at', type: 'long' }, { name: 'v', type: 'double' }] } });
    await codec.load();
    const r = record({ value: await codec.encode({ id: 'x', at: 1_000, v: 1.25 }) });
    expect(readings({ key: 'id', value: 'v', timestamp: 'at' })(codec.decode(r.value), r)).toMatchObject({ key: 'x', samples: [1.25], timestamp: 1_000 });
  });

  it('dead-letter reasons name the field and what is wrong, never the value', () => {
    const input = readings({ key: 'deviceId', value: ['value', 'other'], timestamp: 'timestamp' });
    const cases: Array<[unknown, RegExp]> = [
      [{ ...iot, other: 1, value: 'hot-secret' }, /value field "value" is text, not a finite number/],
      [{ ...iot, other: 1, value: null }, /value field "value" is null/],
      [{ ...iot }, /record has no value field "other"/],
      [{ ...iot, other: 1, deviceId: '' }, /key field "deviceId" is text, not a non-empty string or a number/],
      [{ ...iot, other: 1, deviceId: undefined }, /record has no key field "deviceId"/],
      [{ ...iot, other: 1, timestamp: '2025-06-13T10:00:00' }, /timestamp field "timestamp" has no time zone/],
      [[1, 2], /readings need an object value, got a list/],
      [42, /readings need an object value, got a number/],
    ];
    for (const [value, reason] of cases) {
      const r = record({ value: value as RecordInput['value'] });
      expect(() => input(json(r), r)).toThrow(reason);
      expect(() => input(json(r), r)).not.toThrow(/secret/);
    }
    const text = record({ value: 'x' });
    expect(() => input(decodePayload('utf8', text.value), text)).toThrow(/readings need a JSON, protobuf or Avro value, got utf8/);
    const empty = readings({ key: () => '' });
    const r = record({ value: iot });
    expect(() => empty(json(r), r)).toThrow(/the readings key function returned no key/);
  });

  it('rejects unknown or invalid options when the function is defined', () => {
    expect(() => readings({ values: 'x' } as never)).toThrow(/invalid readings options: .*values/);
    expect(() => readings({ value: [] })).toThrow(/invalid readings options: value/);
    expect(() => readings({ value: ['a', 'a'] })).toThrow(/repeat: a, a/);
    expect(() => readings({ emit: 'key' as never })).toThrow(/emit/);
    expect(() => readings({ sampleRate: 0 })).toThrow(/sampleRate/);
  });

  it('throws nothing but DecodeErrors on arbitrary JSON values (fuzz)', () => {
    const input = readings({ key: 'k', value: ['v', 'w.x'], timestamp: 't' });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = record({ key: 'k', value: value as RecordInput['value'] });
        try {
          const block = input(json(r), r);
          expect(block.samples.every(Number.isFinite)).toBe(true);
          expect(Number.isFinite(block.timestamp)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
