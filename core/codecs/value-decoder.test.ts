import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.ts';
import { kafkaRecord, type RecordInput } from '../events/build.ts';
import { parseKafkaEvent } from '../events/parse.ts';
import type { KafkaRecord } from '../events/types.ts';
import { avro } from './avro.ts';
import { protobuf } from './protobuf.ts';
import { valueDecoder } from './value-decoder.ts';

const proto = new URL('./fixtures/telemetry.proto', import.meta.url);
const telemetry = () => protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
const readingSchema = new URL('./fixtures/reading.avsc', import.meta.url);

/** A record as the handler sees it: built in the Lambda wire shape, then parsed. */
function record(input: RecordInput): KafkaRecord {
  const event = { eventSource: 'aws:kafka', bootstrapServers: 'b:9092', records: { 'in-0': [kafkaRecord(input, { topic: 'in' })] } };
  return parseKafkaEvent(event).partitions[0]!.records[0]!;
}

describe('valueDecoder({ codec, contentTypes })', () => {
  it('decodes with the function codec when there is no content-type header', async () => {
    const decoder = valueDecoder({ codec: 'utf8' });
    await decoder.load();
    expect(decoder.decode(record({ value: 'héllo' }))).toEqual({ codec: 'utf8', text: 'héllo' });
    expect(valueDecoder().decode(record({ value: { a: 1 } }))).toEqual({ codec: 'json', value: { a: 1 } });
  });

  it('picks each record its own codec when content-types change from record to record (the last choice is reused only for the same bytes)', () => {
    const decoder = valueDecoder({ codec: 'raw', contentTypes: { 'application/x-mine': 'utf8' } });
    const types = ['application/x-f32le', 'Application/X-F32LE; q=1', 'text/plain', 'application/x-mine', 'application/json', undefined, 'application/x-unknown', 'application/x-f32le'];
    const expected = ['f32le', 'f32le', 'utf8', 'utf8', 'json', 'raw', 'raw', 'f32le'];
    for (let round = 0; round < 3; round++) {
      types.forEach((type, i) => {
        const value = type?.startsWith('application/json') ? { n: i } : Float32Array.of(i);
        const headers: Record<string, string> = type === undefined ? {} : { [i % 2 === 0 ? 'content-type' : 'Content-Type']: type };
        expect(decoder.decode(record({ value, headers })).codec).toBe(expected[i]);
      });
    }
  });

  it('a protobuf content-type no longer dead-letters a raw function: unmapped media types leave the codec to the function', () => {
    const decoder = valueDecoder({ codec: 'raw' });
    const payload = decoder.decode(record({ value: Buffer.from([8, 1]), headers: { 'content-type': 'application/x-protobuf' } }));
    expect(payload.codec === 'raw' && [...payload.bytes]).toEqual([8, 1]);
  });

  it('a header selects the configured protobuf or avro codec by its media type, and the built-in ones as before', async () => {
    const codec = telemetry();
    const decoder = valueDecoder({ codec, contentTypes: { 'application/vnd.reading+avro': avro({ schema: readingSchema }) } });
    expect(decoder.schemaCodecs).toHaveLength(2);
    await decoder.load();
    const frame = await codec.encode({ speed: 100, gear: 3 });
    for (const type of ['application/x-protobuf', 'application/protobuf; proto=telemetry.TelemetryFrame', 'Application/Vnd.Google.Protobuf']) {
      expect(decoder.decode(record({ value: frame, headers: { 'content-type': type } }))).toMatchObject({ codec: 'protobuf', value: { speed: 100, gear: 3 } });
    }
    expect(decoder.decode(record({ value: { x: 1 }, headers: { 'content-type': 'application/vnd.sensor+json' } }))).toEqual({ codec: 'json', value: { x: 1 } });
    expect(decoder.decode(record({ value: new Float32Array([2]), headers: { 'content-type': 'application/x-f32le' } }))).toMatchObject({ codec: 'f32le' });
    const reading = await avro({ schema: readingSchema }).encode({
      seq: 1, deviceId: 'd', timestamp: 5, value: 1, unit: null, kind: 'PRESSURE', raw: Buffer.alloc(0), location: { line: 'l' }, tags: {}, history: [],
    });
    expect(decoder.decode(record({ value: reading, headers: { 'content-type': 'application/vnd.reading+avro' } }))).toMatchObject({ codec: 'avro', value: { kind: 'PRESSURE' } });
    // A configured avro codec also brings its default media types.
    expect(() => decoder.decode(record({ value: Buffer.from('{'), headers: { 'content-type': 'avro/binary' } }))).toThrow(/not a valid avro iot.Reading/);
    // A media type nothing maps leaves the value to the function's codec, and a failure says so.
    expect(() => decoder.decode(record({ value: Buffer.from([0x0a, 9]), headers: { 'content-type': 'application/xml' } }))).toThrow(
      /content-type "application\/xml" maps to no codec, so protobuf telemetry.TelemetryFrame read it; map it with contentTypes/,
    );
  });

  it('contentTypes: false ignores the header; a mapping can override a built-in media type', async () => {
    const off = valueDecoder({ codec: 'utf8', contentTypes: false });
    expect(off.decode(record({ value: '[1]', headers: { 'content-type': 'application/json' } }))).toEqual({ codec: 'utf8', text: '[1]' });
    const remapped = valueDecoder({ codec: 'json', contentTypes: { 'application/octet-stream': 'f32le' } });
    expect(remapped.decode(record({ value: new Float32Array([1, 2]), headers: { 'content-type': 'application/octet-stream' } }))).toMatchObject({ codec: 'f32le' });
    expect(() => valueDecoder({ contentTypes: { 'text/csv': 'csv' as never } })).toThrow(/contentTypes\["text\/csv"\] must be one of json, f32le, utf8, raw or a codec/);
    expect(() => valueDecoder({ codec: 'yaml' as never })).toThrow(/codec must be one of/);
  });

  it('records the event source already decoded with its schema registry (JSON mode) just work with json, whatever their header said', () => {
    const decoder = valueDecoder({ codec: 'json' });
    const decoded = record({
      value: { speed: 212.5, timestamp: 1_699_123_456_789 },
      headers: { 'content-type': 'application/x-protobuf' },
      valueSchemaMetadata: { dataFormat: 'PROTOBUF', schemaId: '7' },
    });
    expect(decoded.valueSchemaMetadata).toEqual({ dataFormat: 'PROTOBUF', schemaId: '7' });
    expect(decoder.decode(decoded)).toEqual({ codec: 'json', value: { speed: 212.5, timestamp: 1_699_123_456_789 } });
  });

  it('records the event source unframed (SOURCE mode) are decoded without guessing at framing', async () => {
    const codec = avro({ schema: readingSchema });
    const decoder = valueDecoder({ codec });
    await decoder.load();
    const value = { seq: 0, deviceId: 'd', timestamp: 0, value: 0, unit: null, kind: 'TEMPERATURE', raw: Buffer.alloc(0), location: { line: '' }, tags: {}, history: [] };
    const bytes = await codec.encode(value);
    const decoded = decoder.decode(record({ value: bytes, valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '00112233-4455-6677-8899-aabbccddeeff' } }));
    expect(decoded).toStrictEqual({ codec: 'avro', value });
  });

  it('keeps the error code of the failure it explains', () => {
    const decoder = valueDecoder({ codec: 'f32le' });
    let code: unknown;
    try {
      decoder.decode(record({ value: Buffer.alloc(3), headers: { 'content-type': 'application/x-something' } }));
    } catch (error) {
      code = (error as { code?: unknown }).code;
    }
    expect(code).toBe(ErrorCode.InvalidSamples);
  });
});

describe('lazy loading', () => {
  it('a function that does not use protobuf or avro loads neither library; one that does loads only its own', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const loaded = () => ['protobufjs', 'avsc'].filter((name) => Object.keys(require.cache).some((path) => path.includes('/node_modules/' + name + '/')));
      const { defineFunction, pipeline } = await import('./core/index.ts');
      const { protobuf } = await import('./core/codecs/protobuf.ts');
      const { avro } = await import('./core/codecs/avro.ts');
      const { valueDecoder } = await import('./core/codecs/value-decoder.ts');
      defineFunction({ name: 'plain', pipeline: pipeline().movingAverage({ window: 2 }), output: { topic: 'o', value: () => 1 } });
      const json = valueDecoder({ codec: 'json' });
      await json.load();
      const steps = [loaded()];
      const codec = protobuf({ schema: ${JSON.stringify(proto.pathname)}, type: 'telemetry.TelemetryFrame' });
      steps.push(loaded());
      await valueDecoder({ codec }).load();
      steps.push(loaded());
      await avro({ schema: { type: 'record', name: 'R', fields: [] } }).load();
      steps.push(loaded());
      process.stdout.write(JSON.stringify(steps));
    `;
    const root = new URL('../..', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual([[], [], ['protobufjs'], ['protobufjs', 'avsc']]);
  });
});
