import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allFinite, FiniteMemory, firstNonFinite } from './finite.ts';

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

describe('FiniteMemory', () => {
  it('vouches for a view exactly when it lies on the memory’s 4-byte grid and the whole memory is finite', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 64 }),
        fc.nat(8),
        fc.nat(300),
        fc.nat(300),
        (bits, lead, start, length) => {
          // The memory starts `lead` words into its buffer; views are taken anywhere in that buffer.
          const words = Uint32Array.from([...Array.from({ length: lead }, () => 0x7fc00000), ...bits, 0x7f800000]);
          const memory = new Uint8Array(words.buffer, lead * 4, bits.length * 4);
          const from = start % (words.length * 4 - 3);
          const byteOffset = from - (from % 4);
          const count = length % ((words.length * 4 - byteOffset) / 4 + 1);
          const view = new Float32Array(words.buffer, byteOffset, count);
          const inside = byteOffset >= memory.byteOffset && byteOffset + view.byteLength <= memory.byteOffset + memory.byteLength;
          const finite = new Float32Array(memory.buffer, memory.byteOffset, bits.length).every((v) => Number.isFinite(v));
          expect(new FiniteMemory(memory).vouchesFor(view)).toBe(inside && finite);
          // A view of other memory, or with no memory to scan, is never vouched for.
          expect(new FiniteMemory(memory).vouchesFor(Float32Array.from(view))).toBe(false);
          expect(new FiniteMemory(undefined).vouchesFor(view)).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('does not vouch off the grid: memory at an odd byte offset is never scanned as floats', () => {
    const buffer = new ArrayBuffer(16);
    expect(new FiniteMemory(new Uint8Array(buffer, 2, 8)).vouchesFor(new Float32Array(buffer, 4, 1))).toBe(false);
    expect(new FiniteMemory(new Uint8Array(buffer, 0, 16)).vouchesFor(new Float32Array(buffer, 4, 1))).toBe(true);
  });
});
