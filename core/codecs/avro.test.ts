import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, DspfnError, ErrorCode } from '../errors.ts';
import { avro } from './avro.ts';
import { frame } from './framing.ts';

const schemaUrl = new URL('./fixtures/reading.avsc', import.meta.url);
const schemaJson = JSON.parse(readFileSync(schemaUrl, 'utf8')) as object;
const reading = {
  seq: 0,
  deviceId: 'device-001',
  timestamp: 1_749_808_800_000,
  value: 25.5,
  unit: '°C',
  kind: 'TEMPERATURE',
  raw: Buffer.from([1, 2]),
  location: { line: 'Assembly Line 1' },
  tags: { firmware: '1.2.3' },
  history: [1.5, 2.25],
};

/** Bytes a producer would send, written with avsc directly (not through the codec under test). */
function producerBytes(value: object): Buffer {
  return avsc.Type.forSchema(schemaJson as avsc.Schema).toBuffer(value);
}

describe('avro({ schema })', () => {
  it('decodes records into plain objects: longs as numbers, enums as names, bytes as Buffers, nested records plain too', async () => {
    const codec = avro({ schema: schemaUrl });
    await codec.load();
    const payload = codec.decode(producerBytes(reading));
    expect(payload.codec).toBe('avro');
    const value = (payload as { value: Record<string, unknown> }).value;
    expect(value).toStrictEqual(reading);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(value.location)).toBe(Object.prototype);
    expect(codec.description).toBe('avro iot.Reading');
  });

  it('strips Confluent and AWS Glue framing, and still reads an unframed value that merely starts like one', async () => {
    const codec = avro({ schema: schemaJson });
    await codec.load();
    const bytes = producerBytes(reading);
    // seq 0 encodes as byte 0: the unframed value itself looks Confluent-framed.
    expect(bytes[0]).toBe(0);
    expect(codec.decode(bytes)).toStrictEqual({ codec: 'avro', value: reading });
    const confluent = frame(bytes, { kind: 'confluent', schemaId: 17 }, 'avro');
    expect(codec.decode(confluent)).toStrictEqual({ codec: 'avro', value: reading, framing: { kind: 'confluent', schemaId: 17 } });
    const glue = frame(bytes, { kind: 'glue', schemaVersionId: '00112233-4455-6677-8899-aabbccddeeff', compression: 'zlib' }, 'avro');
    expect(codec.decode(glue)).toMatchObject({ value: reading, framing: { kind: 'glue', compression: 'zlib' } });
    expect(codec.decode(bytes, { unframed: true })).toStrictEqual({ codec: 'avro', value: reading });
  });

  it('a value that does not decode is a DecodeError with the parser reason', async () => {
    const codec = avro({ schema: JSON.stringify(schemaJson) });
    await codec.load();
    const bytes = producerBytes({ ...reading, seq: 5 });
    for (const [bad, reason] of [
      [bytes.subarray(0, bytes.length - 3), /truncated buffer/],
      [Buffer.concat([bytes, Buffer.from([1])]), /trailing data/],
    ] as const) {
      let error: unknown;
      try {
        codec.decode(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DspfnError);
      expect((error as DspfnError).code).toBe(ErrorCode.Decode);
      expect((error as Error).message).toMatch(/^value is not a valid avro iot.Reading: /);
      expect((error as Error).message).toMatch(reason);
    }
  });

  it('refuses a long that a number cannot hold exactly', async () => {
    const codec = avro({ schema: { type: 'record', name: 'Big', fields: [{ name: 'n', type: 'long' }] } });
    await codec.load();
    // zigzag varint of 2^60: written by hand, since avsc itself refuses to encode it.
    const varint: number[] = [];
    let zigzag = 2n ** 61n;
    while (zigzag >= 0x80n) {
      varint.push(Number((zigzag & 0x7fn) | 0x80n));
      zigzag >>= 7n;
    }
    varint.push(Number(zigzag));
    expect(() => codec.decode(Buffer.from(varint))).toThrow(/not a valid avro Big: .*precision/);
  });

  it('takes the schema as a path, JSON text, an object or an avsc Type; a bad schema is a ConfigError at load', async () => {
    for (const schema of [schemaUrl.pathname, JSON.stringify(schemaJson), schemaJson, avsc.Type.forSchema(schemaJson as avsc.Schema)]) {
      const codec = avro({ schema });
      await codec.load();
      expect((codec.decode(producerBytes(reading)) as { value: { deviceId: string } }).value.deviceId).toBe('device-001');
    }
    await expect(avro({ schema: { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] } }).load()).rejects.toThrow(/avro schema schema object is not valid: .*nope/);
    await expect(avro({ schema: '{"type": ' }).load()).rejects.toThrow(/avro schema inline schema is not JSON/);
    await expect(avro({ schema: '/nowhere/x.avsc' }).load()).rejects.toThrow(ConfigError);
    expect(() => avro({ schema: 42 } as never)).toThrow(/invalid avro options/);
  });

  it('encodes plain values, framed as asked, and names the fields that do not fit', async () => {
    const codec = avro({ schema: schemaUrl });
    const bytes = await codec.encode(reading, { kind: 'confluent', schemaId: 3 });
    expect(codec.decode(bytes)).toMatchObject({ value: reading, framing: { kind: 'confluent', schemaId: 3 } });
    await expect(codec.encode({ ...reading, value: 'hot', kind: 'COLD' })).rejects.toThrow(/invalid field\(s\) value, kind/);
  });

  it('never throws anything but a DspfnError on arbitrary bytes (fuzz)', async () => {
    const codec = avro({ schema: schemaUrl });
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
