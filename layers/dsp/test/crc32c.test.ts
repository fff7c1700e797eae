// The native CRC-32C of record batches (kafka/crc32c.c, binding/crc32c.c) against the client
// library's JavaScript one: every length and start across the three-stream blocks, on both paths.
import { jsCRC32C } from '@platformatic/kafka';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isNativeAvailable, nativeModule } from '../../../core/dsp/native/loader.ts';
import { nativeCrc32c, useNativeCrc32c, type NativeCrc32c } from '../../../core/kafka/native-crc32c.ts';

const native = isNativeAvailable() ? (nativeModule().addon as unknown as NativeCrc32c) : undefined;
const reference = (data: Buffer) => jsCRC32C(data) >>> 0;

/** Bytes of a fixed pseudo-random pattern (a block of zeros somewhere tests the joins' shift too). */
function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (Math.imul(i + seed, 2654435761) >>> 13) & 0xff;
  return bytes;
}

describe('crc32c (native)', () => {
  afterEach(() => useNativeCrc32c(undefined));

  it('is built into the module and gives the check value of CRC-32C', () => {
    expect(native!.crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(native!.crc32c(Buffer.from('123456789'), true)).toBe(0xe3069283);
    expect(native!.crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('matches the reference for every length up to five three-stream blocks and every start within a word, on the CPU path and the table path', () => {
    const bytes = pattern(3 * 512 * 5 + 40, 7);
    bytes.fill(0, 2000, 2600);
    for (let start = 0; start < 9; start++) {
      for (let length = 0; start + length <= bytes.length; length += length < 3200 ? 1 : 13) {
        const view = bytes.subarray(start, start + length);
        const expected = reference(view);
        if (native!.crc32c(view) !== expected || native!.crc32c(view, true) !== expected) {
          expect([start, length, native!.crc32c(view), native!.crc32c(view, true)]).toEqual([start, length, expected, expected]);
        }
      }
    }
  });

  it('matches the reference on random batches of up to 200 kB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.nat(), (length, seed) => {
        const data = pattern(length, seed);
        expect(native!.crc32c(data)).toBe(reference(data));
      }),
      { numRuns: 60 },
    );
  });

  it('is what producers use once registered, and refuses what is not a buffer', () => {
    useNativeCrc32c(native);
    const data = pattern(5000, 3);
    expect(nativeCrc32c()!(data)).toBe(reference(data));
    useNativeCrc32c({ crc32c: () => 1 });
    expect(nativeCrc32c()).toBeUndefined();
    expect(() => native!.crc32c('text' as unknown as Uint8Array)).toThrow(/crc32c/);
  });
});
