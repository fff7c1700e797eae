import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import protobufjs from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ConfigError, DecodeError, DspfnError, ErrorCode } from '../errors.ts';
import { frame } from './framing.ts';
import { protobuf } from './protobuf.ts';

const proto = new URL('./fixtures/telemetry.proto', import.meta.url);
const frameValue = { timestamp: 1_699_123_456_789, lapTime: 83_123, throttle: 0.75, brake: 0, steering: -0.25, speed: 212.5, gear: 6, rpm: 11_500, normalizedPosition: 0.5, lapNumber: 3 };

/** Bytes a producer would send, written with protobufjs directly (not through the codec under test). */
function producerBytes(value: Record<string, unknown>, type = 'telemetry.TelemetryFrame'): Buffer {
  const message = new protobufjs.Root().loadSync(proto.pathname, { keepCase: true }).lookupType(type);
  return Buffer.from(message.encode(message.fromObject(value)).finish());
}

describe('protobuf({ schema, type })', () => {
  it('decodes a TelemetryFrame into a plain object whose int64 timestamp is epoch milliseconds', async () => {
    const codec = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
    await codec.load();
    const payload = codec.decode(producerBytes(frameValue));
    expect(payload.codec).toBe('protobuf');
    const value = (payload as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value).toEqual({ ...frameValue, throttle: Math.fround(0.75), steering: Math.fround(-0.25), speed: Math.fround(212.5) });
    expect(typeof value.timestamp).toBe('number');
    expect(new Date(value.timestamp as number).toISOString()).toBe('2023-11-04T18:44:16.789Z');
    expect('framing' in payload).toBe(false);
  });

  it('fills absent fields with their defaults, keeps schema field names, gives enums by name and uint64 as numbers', async () => {
    const codec = protobuf({ schema: proto, type: 'telemetry.Sample' });
    await codec.load();
    const bytes = producerBytes({ sensor_id: 's-1', counter: 2 ** 40 + 1, surface: 'GRAVEL', values: [1.5, -2] }, 'telemetry.Sample');
    expect((codec.decode(bytes) as { value: unknown }).value).toEqual({ sensor_id: 's-1', counter: 2 ** 40 + 1, surface: 'GRAVEL', raw: Buffer.alloc(0), values: [1.5, -2] });
    const empty = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
    await empty.load();
    expect((empty.decode(Buffer.alloc(0)) as { value: unknown }).value).toMatchObject({ timestamp: 0, speed: 0, gear: 0 });
  });

  it('strips Confluent and AWS Glue framing (zlib too) and reports it', async () => {
    const codec = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
    await codec.load();
    const bytes = producerBytes(frameValue);
    const confluent = Buffer.concat([Buffer.from([0, 0, 0, 0, 42, 0]), bytes]);
    expect(codec.decode(confluent)).toMatchObject({ value: { speed: Math.fround(212.5) }, framing: { kind: 'confluent', schemaId: 42, messageIndexes: [0] } });
    const glue = frame(bytes, { kind: 'glue', schemaVersionId: '00112233-4455-6677-8899-aabbccddeeff', compression: 'zlib', messageIndexes: [0] }, 'protobuf');
    expect(codec.decode(glue)).toMatchObject({ value: { rpm: 11_500 }, framing: { kind: 'glue', compression: 'zlib', schemaVersionId: '00112233-4455-6677-8899-aabbccddeeff' } });
    // Bytes the event source already unframed are read as they are.
    expect(() => codec.decode(confluent, { unframed: true })).toThrow(DecodeError);
    // A function that says its values are unframed does not guess.
    const none = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame', framing: 'none' });
    await none.load();
    expect(() => none.decode(confluent)).toThrow(/not a valid protobuf telemetry.TelemetryFrame/);
  });

  it('a value that does not decode is a DecodeError with the parser reason, never with the payload', async () => {
    const codec = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
    await codec.load();
    const truncated = producerBytes(frameValue).subarray(0, 3);
    let error: unknown;
    try {
      codec.decode(truncated);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DspfnError);
    expect((error as DspfnError).code).toBe(ErrorCode.Decode);
    expect((error as Error).message).toMatch(/^value is not a valid protobuf telemetry\.TelemetryFrame: index out of range/);
  });

  it('takes the schema as .proto text, a path or a protobufjs Root; a leading dot in the type is fine', async () => {
    const text = readFileSync(proto, 'utf8');
    const root = protobufjs.parse(text, { keepCase: true }).root;
    for (const schema of [text, proto.pathname, root]) {
      const codec = protobuf({ schema, type: '.telemetry.TelemetryFrame' });
      await codec.load();
      expect((codec.decode(producerBytes({ gear: 4 })) as { value: { gear: number } }).value.gear).toBe(4);
      expect(codec.description).toBe('protobuf telemetry.TelemetryFrame');
    }
  });

  it('reports schema problems as ConfigErrors at load, naming the message types there are', async () => {
    await expect(protobuf({ schema: proto, type: 'telemetry.Frame' }).load()).rejects.toThrow(
      /protobuf type "telemetry.Frame" is not in the schema .*message types: telemetry.TelemetryFrame, telemetry.TelemetryMessage, telemetry.Sample/,
    );
    await expect(protobuf({ schema: '/nowhere/x.proto', type: 'a.B' }).load()).rejects.toThrow(/cannot read schema file \/nowhere\/x.proto: ENOENT/);
    await expect(protobuf({ schema: 'message A { int32 = 1; }', type: 'A' }).load()).rejects.toThrow(ConfigError);
    expect(() => protobuf({ schema: proto, type: 'not a name' })).toThrow(/invalid protobuf options: type/);
    expect(() => protobuf({ schema: proto, type: 'a.B', extra: 1 } as never)).toThrow(/invalid protobuf options/);
    const codec = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
    expect(() => codec.decode(Buffer.alloc(0))).toThrow(/used before load\(\) resolved/);
  });

  it('encodes plain values, framed as asked, and refuses values that do not fit the schema', async () => {
    const codec = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
    const framing = { kind: 'confluent', schemaId: 9, messageIndexes: [0] } as const;
    const bytes = await codec.encode(frameValue, framing);
    expect(bytes.subarray(0, 6)).toEqual(Buffer.from([0, 0, 0, 0, 9, 0]));
    expect(codec.decode(bytes)).toMatchObject({ value: { timestamp: frameValue.timestamp, gear: 6 }, framing });
    await expect(codec.encode({ gear: 'fourth' })).rejects.toThrow(/gear: integer expected/);
  });

  it('never throws anything but a DspfnError on arbitrary bytes (fuzz)', async () => {
    const codec = protobuf({ schema: proto, type: 'telemetry.TelemetryFrame' });
    await codec.load();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          codec.decode(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(DspfnError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
