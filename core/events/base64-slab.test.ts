import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Base64Slab, strictBase64 } from './record.ts';

describe('Base64Slab', () => {
  it('decodes exactly what strictBase64 decodes (or refuses what it refuses), each value 8-byte aligned in one slab', () => {
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
      fc.string({ maxLength: 24 }),
      fc.stringMatching(/^[A-Za-z0-9+/=!* -]{0,24}$/),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 12 }), (texts) => {
        const slab = new Base64Slab(texts.reduce((n, t) => n + t.length, 0), texts.length);
        const decoded = texts.map((t) => slab.decode(t));
        texts.forEach((t, i) => {
          const expected = strictBase64(t);
          const actual = decoded[i];
          if (expected === undefined) expect(actual).toBeUndefined();
          else {
            expect(actual).toBeDefined();
            expect(Buffer.compare(actual!, expected)).toBe(0);
            expect(actual!.byteOffset % 8).toBe(0);
          }
        });
        // Values decoded later never overwrite earlier ones.
        expect(decoded.map((d) => d?.toString('hex'))).toEqual(texts.map((t) => strictBase64(t)?.toString('hex')));
      }),
      { numRuns: 1_000 },
    );
  });

  it('decodes past its size with a buffer of its own', () => {
    const slab = new Base64Slab(4, 1);
    expect(slab.decode('AAECAw==')?.toString('hex')).toBe('00010203');
    expect(slab.decode('BAUG')?.toString('hex')).toBe('040506');
  });
});
