import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, DspfnError } from '../errors.ts';
import { frame, framingCandidates, unframe, type Framing } from './framing.ts';

const payload = Buffer.from([0x08, 0x96, 0x01]);
const uuid = '7d9a3b2e-0c41-4f6a-9e1d-5b8c2a7f3e10';

describe('schema-registry framing', () => {
  it('strips Confluent framing: magic 0, big-endian schema id, and for Protobuf the message indexes', () => {
    // The common index [0] is the single byte 0.
    const common = Buffer.concat([Buffer.from([0, 0, 0, 0x01, 0x2c, 0]), payload]);
    expect(unframe(common, 'confluent', 'protobuf')).toEqual({ payload, framing: { kind: 'confluent', schemaId: 300, messageIndexes: [0] } });
    // [1, 2]: zigzag varints count 2 → 4, 1 → 2, 2 → 4.
    const nested = Buffer.concat([Buffer.from([0, 0, 0, 0, 7, 4, 2, 4]), payload]);
    expect(unframe(nested, 'confluent', 'protobuf')).toEqual({ payload, framing: { kind: 'confluent', schemaId: 7, messageIndexes: [1, 2] } });
    // Avro has no message indexes.
    const avro = Buffer.concat([Buffer.from([0, 0xff, 0xff, 0xff, 0xff]), payload]);
    expect(unframe(avro, 'confluent', 'avro')).toEqual({ payload, framing: { kind: 'confluent', schemaId: 4294967295 } });
  });

  it('strips AWS Glue framing, inflating zlib bodies; a Protobuf body starts with its message index as a plain varint', () => {
    const id = Buffer.from(uuid.replace(/-/g, ''), 'hex');
    const plain = Buffer.concat([Buffer.from([3, 0]), id, payload]);
    expect(unframe(plain, 'glue', 'avro')).toEqual({ payload, framing: { kind: 'glue', schemaVersionId: uuid, compression: 'none' } });
    const zlib = Buffer.concat([Buffer.from([3, 5]), id, deflateSync(payload)]);
    expect(unframe(zlib, 'glue', 'avro')).toEqual({ payload, framing: { kind: 'glue', schemaVersionId: uuid, compression: 'zlib' } });
    const proto = Buffer.concat([Buffer.from([3, 5]), id, deflateSync(Buffer.concat([Buffer.from([0x81, 0x01]), payload]))]);
    expect(unframe(proto, 'glue', 'protobuf')).toEqual({ payload, framing: { kind: 'glue', schemaVersionId: uuid, compression: 'zlib', messageIndexes: [129] } });
  });

  it('frames what it strips, for every framing and format', () => {
    const framings: Framing[] = [
      { kind: 'confluent', schemaId: 1, messageIndexes: [0] },
      { kind: 'confluent', schemaId: 123456, messageIndexes: [3, 0, 200] },
      { kind: 'glue', schemaVersionId: uuid, compression: 'none', messageIndexes: [0] },
      { kind: 'glue', schemaVersionId: uuid, compression: 'zlib', messageIndexes: [5] },
    ];
    for (const framing of framings) {
      const framed = frame(payload, framing, 'protobuf');
      expect(unframe(framed, framing.kind, 'protobuf')).toEqual({ payload, framing });
      const { messageIndexes: _, ...avroFraming } = framing;
      expect(unframe(frame(payload, avroFraming, 'avro'), framing.kind, 'avro')).toEqual({ payload, framing: avroFraming });
    }
    expect(frame(payload, undefined, 'avro')).toEqual(payload);
  });

  it('detects framing: certain for Protobuf (no message starts with byte 0 or 3), a guess to verify for Avro', () => {
    const confluent = Buffer.from([0, 0, 0, 0, 1, 0, 8, 1]);
    const glue = Buffer.concat([Buffer.from([3, 0]), Buffer.alloc(16), payload]);
    expect(framingCandidates(confluent, 'auto', 'protobuf')).toEqual(['confluent']);
    expect(framingCandidates(glue, 'auto', 'protobuf')).toEqual(['glue']);
    expect(framingCandidates(payload, 'auto', 'protobuf')).toEqual(['none']);
    expect(framingCandidates(confluent, 'auto', 'avro')).toEqual(['confluent', 'none']);
    expect(framingCandidates(glue, 'auto', 'avro')).toEqual(['glue', 'none']);
    expect(framingCandidates(Buffer.from([0, 1]), 'auto', 'avro')).toEqual(['none']);
    expect(framingCandidates(payload, 'glue', 'avro')).toEqual(['glue']);
  });

  it('says what is wrong with a value that lacks the framing asked for or is cut short', () => {
    expect(() => unframe(payload, 'confluent', 'protobuf')).toThrow(/no Confluent schema-registry framing/);
    expect(() => unframe(payload, 'glue', 'protobuf')).toThrow(/no AWS Glue schema-registry framing/);
    expect(() => unframe(Buffer.from([0, 0, 0, 0, 1, 4, 2]), 'confluent', 'protobuf')).toThrow(/truncated in its message index/);
    expect(() => unframe(Buffer.concat([Buffer.from([3, 5]), Buffer.alloc(16), Buffer.from('not zlib')]), 'glue', 'avro')).toThrow(
      /zlib-compressed value does not inflate/,
    );
  });

  it('never throws anything but a DecodeError on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.constantFrom('confluent', 'glue', 'none'), fc.constantFrom('protobuf', 'avro'), (bytes, kind, format) => {
        try {
          unframe(Buffer.from(bytes), kind as 'glue', format as 'avro');
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
          expect(error).toBeInstanceOf(DspfnError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
