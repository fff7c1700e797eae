// The native scan behind the decode step's finiteness check (binding/samples.c) against the
// TypeScript one, on every bit pattern and at every place across its blocks of 256 words.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isNativeAvailable, nativeModule } from '../../../core/dsp/native/loader.ts';
import { firstNonFinite, useNativeSampleChecks, type NativeSampleChecks } from '../../../core/dsp/finite.ts';

const native = isNativeAvailable() ? (nativeModule().addon as unknown as NativeSampleChecks) : undefined;
const reference = (x: Float32Array) => x.findIndex((v) => !Number.isFinite(v));

describe('firstNonFinite (native)', () => {
  afterEach(() => useNativeSampleChecks(undefined));

  it('is built into the module', () => {
    expect(typeof native?.firstNonFinite).toBe('function');
  });

  it('finds the first NaN or ±Infinity (any payload, either sign) wherever it lies, or answers -1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1100 }),
        fc.array(fc.tuple(fc.nat(1099), fc.integer({ min: 0, max: 0x7fffff }), fc.boolean()), { maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (length, bad, offset) => {
          // A view that starts inside a larger buffer, as a record's samples in a batch's slab do.
          const words = new Uint32Array(length + offset);
          for (let i = 0; i < words.length; i++) words[i] = (Math.imul(i + 1, 2654435761) >>> 0) & 0xbf7fffff;
          for (const [at, payload, negative] of bad) if (at < length) words[offset + at] = (negative ? 0xff800000 : 0x7f800000) | payload;
          const x = new Float32Array(words.buffer, offset * 4, length);
          expect(native!.firstNonFinite(x)).toBe(reference(x));
        },
      ),
      { numRuns: 600 },
    );
    expect(native!.firstNonFinite(new Float32Array(0))).toBe(-1);
    expect(native!.firstNonFinite(Float32Array.of(-0, 3.4028234663852886e38, -1e-45, 1e-45))).toBe(-1);
  });

  it('answers what the TypeScript check answers, once registered', () => {
    useNativeSampleChecks(native);
    const x = new Float32Array(300).fill(1);
    x[299] = Number.POSITIVE_INFINITY;
    expect(firstNonFinite(x)).toBe(299);
    useNativeSampleChecks(undefined);
    expect(firstNonFinite(x)).toBe(299);
  });

  it('refuses what is not a Float32Array', () => {
    expect(() => native!.firstNonFinite(new Uint32Array(4) as unknown as Float32Array)).toThrow(/Float32Array/);
    expect(() => (native!.firstNonFinite as (x?: unknown) => number)()).toThrow(/Float32Array/);
  });
});
