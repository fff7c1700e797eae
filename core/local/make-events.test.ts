import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import avsc from 'avsc';
import protobufjs from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeInputs, parseHeaders, schemaEncoding, toReplayRecords, valuesToInputs } from './make-events.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'dspfn.js');
const root = join(import.meta.dirname, '..', '..');
const proto = join(root, 'core', 'codecs', 'fixtures', 'telemetry.proto');
const avscFile = join(root, 'core', 'codecs', 'fixtures', 'reading.avsc');

const readings = [
  { key: 'sensor-1', value: 21.5, timestamp: '2026-01-01T00:00:05.000Z' },
  { key: 'sensor-2', value: 19, timestamp: 1_767_225_610_000 },
];

describe('events from-values building blocks', () => {
  it('takes the record key and timestamp from value fields and puts the headers on every record', () => {
    const inputs = valuesToInputs(readings, { keyField: 'key', timestampField: 'timestamp', headers: { 'content-type': 'application/json' } });
    expect(inputs).toEqual([
      { key: 'sensor-1', timestamp: Date.UTC(2026, 0, 1, 0, 0, 5), value: readings[0], headers: { 'content-type': 'application/json' } },
      { key: 'sensor-2', timestamp: 1_767_225_610_000, value: readings[1], headers: { 'content-type': 'application/json' } },
    ]);
    const records = toReplayRecords(inputs, { topic: 't', partitions: 1 });
    expect(records.map((r) => r.timestamp)).toEqual([Date.UTC(2026, 0, 1, 0, 0, 5), 1_767_225_610_000]);
    expect(() => valuesToInputs([{ timestamp: 'soon' }], { timestampField: 'timestamp' })).toThrow(/value 1: timestamp field "timestamp" is neither ISO-8601/);
    expect(() => valuesToInputs([{}], { timestampField: 'at' })).toThrow(/value 1: record has no timestamp field "at"/);
  });

  it('reads --header name=value pairs', () => {
    expect(parseHeaders(['content-type=application/x-protobuf', 'sessionId=s=1'])).toEqual({ 'content-type': 'application/x-protobuf', sessionId: 's=1' });
    expect(() => parseHeaders(['novalue'])).toThrow(/--header "novalue" is not name=value/);
  });

  it('checks the encoding options together', () => {
    expect(schemaEncoding({})).toBeUndefined();
    expect(schemaEncoding({ protobuf: proto, type: 'telemetry.TelemetryFrame', framing: 'confluent', schemaId: '12' })?.framing).toEqual({ kind: 'confluent', schemaId: 12, messageIndexes: [0] });
    expect(schemaEncoding({ avro: avscFile, framing: 'glue-zlib', schemaId: '00112233-4455-6677-8899-AABBCCDDEEFF' })?.framing).toEqual({
      kind: 'glue', schemaVersionId: '00112233-4455-6677-8899-aabbccddeeff', compression: 'zlib',
    });
    expect(() => schemaEncoding({ protobuf: proto })).toThrow(/--protobuf needs --type/);
    expect(() => schemaEncoding({ protobuf: proto, type: 'a.B', avro: avscFile })).toThrow(/exclude each other/);
    expect(() => schemaEncoding({ framing: 'confluent' })).toThrow(/need --protobuf or --avro/);
    expect(() => schemaEncoding({ avro: avscFile, framing: 'glue' })).toThrow(/needs --schema-id, the schema version id \(a UUID\)/);
    expect(() => schemaEncoding({ avro: avscFile, framing: 'confluent', schemaId: '-3' })).toThrow(/integer from 0 to 4294967295/);
    expect(() => schemaEncoding({ avro: avscFile, schemaId: '3' })).toThrow(/--schema-id needs --framing/);
  });

  it('encodes every value, naming the one that does not fit the schema', async () => {
    const encoding = schemaEncoding({ protobuf: proto, type: 'telemetry.TelemetryFrame' })!;
    await expect(encodeInputs([{ value: { speed: 1 } }, { value: { gear: 'top' } }], encoding.codec, undefined)).rejects.toThrow(/value 2: value is not a valid protobuf telemetry.TelemetryFrame: gear: integer expected/);
  });
});

describe('dspfn events from-values (CLI)', () => {
  it('writes protobuf values with Confluent framing, a header and timestamps from a field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspfn-values-'));
    const values = join(dir, 'frames.ndjson');
    const frames = [
      { session: 'session-abc123', timestamp: 1_699_123_456_789, speed: 212.5, throttle: 0.75, brake: 0 },
      { session: 'session-abc123', timestamp: 1_699_123_456_806, speed: 213, throttle: 0.8, brake: 0 },
    ];
    writeFileSync(values, frames.map((f) => JSON.stringify(f)).join('\n'));
    const out = join(dir, 'events.ndjson');
    // Unknown fields (session) are dropped by protobuf, as a producer's serializer would.
    await run(process.execPath, [cli, 'events', 'from-values', values, '--topic', 'telemetry', '--key-field', 'session', '--timestamp-field', 'timestamp', '--header', 'content-type=application/x-protobuf', '-H', 'sessionId=session-abc123', '--protobuf', proto, '--type', 'telemetry.TelemetryFrame', '--framing', 'confluent', '--schema-id', '7', '--out', out], { cwd: root });
    const records = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; value: string; timestamp: number; headers: Array<Record<string, number[]>> });
    expect(records.map((r) => r.timestamp)).toEqual([1_699_123_456_789, 1_699_123_456_806]);
    expect(Buffer.from(records[0]!.key, 'base64').toString()).toBe('session-abc123');
    expect(records[0]!.headers.map((h) => Object.entries(h).map(([name, bytes]) => [name, Buffer.from(bytes).toString()])).flat()).toEqual([
      ['content-type', 'application/x-protobuf'],
      ['sessionId', 'session-abc123'],
    ]);
    const bytes = Buffer.from(records[1]!.value, 'base64');
    expect([...bytes.subarray(0, 6)]).toEqual([0, 0, 0, 0, 7, 0]);
    const type = new protobufjs.Root().loadSync(proto, { keepCase: true }).lookupType('telemetry.TelemetryFrame');
    expect(type.toObject(type.decode(bytes.subarray(6)), { longs: Number })).toEqual({ timestamp: 1_699_123_456_806, speed: 213, throttle: Math.fround(0.8) });
  });

  it('writes Avro values, and fails with a clear message on a value that does not fit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspfn-values-'));
    const reading = { seq: 1, deviceId: 'd1', timestamp: 5, value: 1.5, unit: null, kind: 'PRESSURE', raw: '', location: { line: 'l' }, tags: {}, history: [] };
    const values = join(dir, 'readings.json');
    writeFileSync(values, JSON.stringify([reading]));
    const out = join(dir, 'events.ndjson');
    // JSON has no bytes: the "raw" field's text would not fit an Avro bytes field.
    const failed = await run(process.execPath, [cli, 'events', 'from-values', values, '--topic', 'readings', '--avro', avscFile, '--out', out], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { stderr: string }).stderr).toMatch(/value 1: value is not a valid avro iot.Reading: invalid field\(s\) raw/);
    const noBytes = join(dir, 'plain.avsc');
    writeFileSync(noBytes, JSON.stringify({ type: 'record', name: 'Plain', fields: [{ name: 'deviceId', type: 'string' }, { name: 'value', type: 'double' }] }));
    await run(process.execPath, [cli, 'events', 'from-values', values, '--topic', 'readings', '--key-field', 'deviceId', '--avro', noBytes, '--out', out], { cwd: root });
    const [record] = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { value: string });
    expect(avsc.Type.forSchema({ type: 'record', name: 'Plain', fields: [{ name: 'deviceId', type: 'string' }, { name: 'value', type: 'double' }] }).fromBuffer(Buffer.from(record!.value, 'base64'))).toMatchObject({ deviceId: 'd1', value: 1.5 });
  });
});
