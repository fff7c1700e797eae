import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allFinite, firstNonFinite } from './finite.ts';

describe('allFinite', () => {
  it('is whether every sample is finite, for any float32 bit patterns and lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }), fc.nat(40), (bits, at) => {
        const x = new Float32Array(Uint32Array.from(bits).buffer);
        expect(allFinite(x)).toBe(x.every((v) => Number.isFinite(v)));
        // One NaN or Infinity anywhere, among finite samples, is found.
        const finite = x.map((v) => (Number.isFinite(v) ? v : 1));
        if (finite.length > 0) {
          finite[at % finite.length] = [Number.NaN, Infinity, -Infinity][at % 3]!;
          expect(allFinite(finite)).toBe(false);
        }
      }),
      { numRuns: 2_000 },
    );
    expect(allFinite(new Float32Array(0))).toBe(true);
    expect(allFinite(Float32Array.of(-0, 3.4028234663852886e38, -1e-45))).toBe(true);
  });
});

describe('firstNonFinite (TypeScript)', () => {
  it('is the index of the first NaN or ±Infinity, or -1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 200 }), (bits) => {
        const x = new Float32Array(Uint32Array.from(bits).buffer);
        expect(firstNonFinite(x)).toBe(x.findIndex((v) => !Number.isFinite(v)));
      }),
      { numRuns: 1_000 },
    );
  });
});
