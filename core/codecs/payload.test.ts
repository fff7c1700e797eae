import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DspfnError, ErrorCode } from '../errors.ts';
import { codecForContentType, decodeF32le, decodePayload } from './payload.ts';

describe('codecs', () => {
  it('decodes f32le little-endian whatever the buffer alignment', () => {
    const bytes = Buffer.alloc(13);
    bytes.writeFloatLE(1.5, 1);
    bytes.writeFloatLE(-2.25, 5);
    bytes.writeFloatLE(3e-7, 9);
    const unaligned = bytes.subarray(1);
    expect(unaligned.byteOffset % 4).not.toBe(0);
    expect([...decodeF32le(unaligned)]).toEqual([1.5, -2.25, Math.fround(3e-7)]);
    const aligned = Buffer.from(new Float32Array([4, 5]).buffer);
    expect([...decodeF32le(aligned)]).toEqual([4, 5]);
  });

  it('rejects f32le payloads that are not whole samples', () => {
    expect(() => decodeF32le(new Uint8Array(7))).toThrow(expect.objectContaining({ code: ErrorCode.InvalidSamples }));
  });

  it('decodes json, utf8 and raw', () => {
    expect(decodePayload('json', Buffer.from('{"a":[1,2]}'))).toEqual({ codec: 'json', value: { a: [1, 2] } });
    expect(decodePayload('utf8', Buffer.from('héllo'))).toEqual({ codec: 'utf8', text: 'héllo' });
    const raw = decodePayload('raw', Buffer.from([0, 255]));
    expect(raw.codec === 'raw' && [...raw.bytes]).toEqual([0, 255]);
    expect(() => decodePayload('json', Buffer.from('{nope'))).toThrow(/not valid JSON/);
  });

  it('maps content types to codecs and refuses unknown ones', () => {
    expect(codecForContentType('application/json; charset=utf-8')).toBe('json');
    expect(codecForContentType('application/vnd.sensor+json')).toBe('json');
    expect(codecForContentType('application/x-f32le')).toBe('f32le');
    expect(codecForContentType('text/plain')).toBe('utf8');
    expect(codecForContentType('application/octet-stream')).toBe('raw');
    expect(() => codecForContentType('application/avro')).toThrow(/unsupported content-type "application\/avro"/);
  });

  it('never throws anything but a DspfnError on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('json', 'f32le', 'utf8', 'raw'), (bytes, codec) => {
        try {
          decodePayload(codec as 'json', Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(DspfnError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
