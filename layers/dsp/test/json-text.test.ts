/**
 * The native JSON number routines against the TypeScript writer and reader they stand in for: the
 * same bytes out, the same float32 values in, for any finite float32 and any decimal text; and
 * malformed text is still the reference reader's JsonSamplesError (a dead letter with its reason).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isNativeAvailable, nativeModule } from '../../../core/dsp/native/loader.ts';
import { JsonSamplesError, SampleArrayReader } from '../../../core/codecs/json-samples.ts';
import { JsonWriter } from '../../../core/codecs/json-writer.ts';
import { nativeJsonText, useNativeJsonText, type NativeJsonText } from '../../../core/codecs/native-json.ts';

const native = isNativeAvailable() ? (nativeModule().addon as unknown as NativeJsonText) : undefined;

/** `run` with the native routines, then without: both answers (or both errors' messages). */
function both<T>(run: () => T): { native: T | string; reference: T | string } {
  const attempt = (): T | string => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof JsonSamplesError)) throw error;
      return `JsonSamplesError: ${error.message}`;
    }
  };
  useNativeJsonText(native);
  const withNative = attempt();
  useNativeJsonText(undefined);
  return { native: withNative, reference: attempt() };
}

const write = (samples: Float32Array): string => new JsonWriter(16).float32Array(samples).take().toString('latin1');
const read = (text: string): number[] => {
  const reader = new SampleArrayReader(4);
  const count = reader.readWhole(Buffer.from(text, 'latin1'));
  return Array.from(reader.samples.subarray(0, count));
};

/** Every float32 bit pattern is as likely as any other: subnormals, huge, tiny, NaN, ±Infinity. */
const anyFloat32s = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 200 }).map((bits) => new Float32Array(Uint32Array.from(bits).buffer));

const decimalText = fc
  .tuple(
    fc.boolean(),
    fc.stringMatching(/^(0|[1-9][0-9]{0,24})$/),
    fc.option(fc.stringMatching(/^[0-9]{1,24}$/), { nil: undefined }),
    fc.option(fc.integer({ min: -70, max: 50 }), { nil: undefined }),
    fc.constantFrom('e', 'E', 'e+', 'E-'),
  )
  .map(([negative, int, fraction, exponent, mark]) => {
    const e = exponent === undefined ? '' : mark.endsWith('-') ? `${mark}${Math.abs(exponent)}` : `${mark}${exponent}`;
    return `${negative ? '-' : ''}${int}${fraction === undefined ? '' : `.${fraction}`}${e}`;
  });

describe.runIf(native !== undefined)('native JSON number text', () => {
  afterEach(() => useNativeJsonText(undefined));

  it('writes the bytes the TypeScript writer writes, for any float32 (NaN and Infinity as null)', () => {
    fc.assert(
      fc.property(anyFloat32s, (samples) => {
        const { native: fromC, reference } = both(() => write(samples));
        expect(fromC).toBe(reference);
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes what the TypeScript writer writes for the values its fast digits leave to Schubfach: powers of two, exact ties', () => {
    // Powers of two have a lopsided rounding interval; k/4096 and k/2^20 are exact decimals whose
    // scaled value is often a tie (…5 one digit past the nine), too close for the fast products.
    const powers = Array.from({ length: 120 }, (_, i) => 2 ** (i - 45));
    const ties = Array.from({ length: 4096 }, (_, k) => (k + 1) / 4096).concat(Array.from({ length: 4096 }, (_, k) => (k * 257 + 1) / 2 ** 20));
    const samples = Float32Array.from([...powers, ...ties].flatMap((x) => [x, -x, x * 3]));
    const { native: fromC, reference } = both(() => write(samples));
    expect(fromC).toBe(reference);
  });

  it('round-trips any finite float32 bit-exactly through its own text', () => {
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, noDefaultInfinity: true, maxLength: 200 }), (samples) => {
        useNativeJsonText(native);
        const back = new Float32Array(read(write(samples)));
        expect(Buffer.from(back.buffer)).toEqual(Buffer.from(samples.buffer));
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads the float32 values the TypeScript reader reads, for any decimal text and spacing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(decimalText, fc.constantFrom('', ' ', '\n\t', '  \r\n')), { maxLength: 30 }), (numbers) => {
        const text = `[${numbers.map(([n, space]) => `${space}${n}${space}`).join(',')}]`;
        const { native: fromC, reference } = both(() => read(text));
        expect(fromC).toEqual(reference);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads long digit runs itself (eight at a time) to the values the TypeScript reader reads', () => {
    // Runs of 1 … 24 digits in the integer and fraction parts, leading zeros in the fraction, runs
    // that end at the ']' itself or just before a non-digit inside the next eight bytes.
    const digits = (n: number, from: number) => Array.from({ length: n }, (_, i) => String((from + i * 7) % 10)).join('');
    const texts: string[] = [];
    for (let n = 1; n <= 24; n++) {
      const run = `${1 + (n % 9)}${digits(n - 1, n)}`;
      texts.push(`[${run}]`, `[-0.${run}]`, `[0.${'0'.repeat(n % 11)}${run}]`, `[${run}.${digits(n, 3)}]`, `[${run}e-${n}, ${run}E+3]`, `[1.${run}x]`, `[${run}.5,2]`);
    }
    texts.push(`[${Array.from({ length: 64 }, (_, i) => String(Math.sin(i / 9) * 2 + 0.1)).join(',')}]`);
    const out = new Float32Array(128);
    for (const text of texts) {
      const { native: fromC, reference } = both(() => read(text));
      expect(fromC, text).toEqual(reference);
      if (typeof reference === 'string') continue;
      // Read by the native routine itself, not handed back to the reference reader.
      const bytes = Buffer.from(text, 'latin1');
      expect(native!.parseF32(bytes, 1, bytes.lastIndexOf(0x5d), out), text).toBe(reference.length);
      expect(Array.from(out.subarray(0, reference.length)), text).toEqual(reference);
    }
  });

  it('reads float32 rounding ties and the decimals beside them itself, as Math.fround(Number(text))', () => {
    // The midpoint of two neighbouring float32 (a double), written with 1 … 25 or 100 digits (the
    // last exactly): within 2^-48 of a tie, where the approximate path cannot call the float32 and
    // the exact double (Eisel–Lemire) does. Subnormals, FLT_MAX's neighbour and negatives included.
    const bitsOf = new Uint32Array(1);
    const asFloat = new Float32Array(bitsOf.buffer);
    const out = new Float32Array(2);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7f7ffffe }), fc.constantFrom(...Array.from({ length: 25 }, (_, i) => i + 1), 100), fc.boolean(), (bits, digits, negative) => {
        bitsOf[0] = bits;
        const low = asFloat[0]!;
        bitsOf[0] = bits + 1;
        const midpoint = (low + asFloat[0]!) / 2;
        const text = `${negative ? '-' : ''}${midpoint.toPrecision(digits)}`;
        const bytes = Buffer.from(`[${text},${text}]`, 'latin1');
        const expected = Math.fround(Number(text));
        // Rounded to a few digits, FLT_MAX's neighbour may be past float32: an error, the reference's to word.
        expect(native!.parseF32(bytes, 1, bytes.length - 1, out), text).toBe(Number.isFinite(expected) ? 2 : -1);
        if (Number.isFinite(expected)) expect([Object.is(out[0], expected), Object.is(out[1], expected)], text).toEqual([true, true]);
        const { native: fromC, reference } = both(() => read(`[${text}]`));
        expect(fromC, text).toEqual(reference);
      }),
      { numRuns: 3_000 },
    );
  });

  it('ends an empty array at its own ]: a later array closing the record does not stand in for it', () => {
    const record = Buffer.from('{"a":[ ],"b":[1,2]}', 'latin1');
    const { native: fromC, reference } = both(() => {
      const reader = new SampleArrayReader(4);
      return [reader.readInto(record, 5), reader.end];
    });
    expect(reference).toEqual([0, record.indexOf(0x5d) + 1]);
    expect(fromC).toEqual(reference);
  });

  it('leaves malformed arrays to the reference reader: the same JsonSamplesError, never a crash', () => {
    const broken = ['[1,]', '[,1]', '[01]', '[1.]', '[.5]', '[1e]', '[-]', '[1 2]', '[NaN]', '[Infinity]', '[1e39]', '[-1e39]', '["1"]', '[[1]]', '[null]', '[1', '[1}', '[1,2]x', '[+1]', '[0x10]', '[1e-99999999999]', '[4e38]'];
    for (const text of broken) {
      const { native: fromC, reference } = both(() => read(text));
      expect(fromC, text).toEqual(reference);
    }
    // Arbitrary bytes between the brackets: whatever the reference says, native says too.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (inner) => {
        const text = `[${Buffer.from(inner).toString('latin1')}]`;
        const { native: fromC, reference } = both(() => read(text));
        expect(fromC).toEqual(reference);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is what the native backend registers, and refuses arguments out of bounds instead of reading them', () => {
    useNativeJsonText(undefined);
    expect(nativeJsonText()).toBeUndefined();
    const api = native!;
    const bytes = Buffer.from('[1,2]');
    expect(api.parseF32(bytes, 1, 4, new Float32Array(2))).toBe(2);
    expect(api.parseF32(bytes, 1, 4, new Float32Array(1))).toBe(-2);
    expect(api.parseF32(Buffer.from('[1,x]'), 1, 4, new Float32Array(2))).toBe(-1);
    expect(() => api.parseF32(bytes, 1, 5, new Float32Array(2))).toThrow(/out of range/);
    expect(() => api.parseF32(bytes, 5, 4, new Float32Array(2))).toThrow(/out of range/);
    expect(() => api.formatF32(Float32Array.of(1, 2), new Uint8Array(49), 0, 0, Float64Array.of(0))).toThrow(/too short/);
    expect(() => api.formatF32(Float32Array.of(1, 2), new Uint8Array(64), 0, 3, Float64Array.of(0))).toThrow(/out of range/);
    expect(() => api.formatF32(Float32Array.of(1, 1e30), new Uint8Array(64), 0, 0, new Float64Array(0))).toThrow(/state/);
    const out = new Uint8Array(100);
    const state = Float64Array.of(-1);
    // All written: the position after them, state untouched.
    expect(api.formatF32(Float32Array.of(0.1, -2.5), out, 0, 0, state)).toBe(8);
    expect(state[0]).toBe(-1);
    const values = Float32Array.of(0.1, -2.5, 1e30, 3);
    const stopped = api.formatF32(values, out, 0, 0, state);
    // 1e30 is past the fast path: left to the TypeScript writer.
    expect(stopped).toBe(-1 - 8);
    expect(Buffer.from(out.subarray(0, 8)).toString()).toBe('0.1,-2.5');
    expect(state[0]).toBe(2);
    out.set(Buffer.from(',1e+30'), 8);
    expect(api.formatF32(values, out, 14, 3, state)).toBe(16);
    expect(Buffer.from(out.subarray(0, 16)).toString()).toBe('0.1,-2.5,1e+30,3');
  });
});
