import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFloat32, writeFloat32, MAX_FLOAT32_TEXT } from './float32-format.ts';
import { JsonWriter, stringifyFloat32Array } from './json-writer.ts';

const finiteFloat32 = fc.float({ noNaN: true, noDefaultInfinity: true });
/** Every float32 bit pattern that is finite: covers subnormals and both zeros uniformly by bits. */
const anyFiniteBits = fc
  .integer({ min: 0, max: 0xffffffff })
  .map((bits) => new Float32Array(new Uint32Array([bits]).buffer)[0]!)
  .filter((x) => Number.isFinite(x));

function significantDigits(text: string): number {
  const mantissa = text.replace(/^-/, '').split('e')[0]!.replace('.', '').replace(/^0+/, '');
  return mantissa.replace(/0+$/, '').length;
}

/** Independent reference: does some decimal of `k` significant digits read back as x? */
function someDecimalOf(x: number, k: number): boolean {
  const [mantissa, exponent] = Math.abs(x).toExponential(k - 1).split('e');
  const n = BigInt(mantissa!.replace('.', ''));
  const p = Number(exponent) - (k - 1);
  return [n - 1n, n, n + 1n].some((c) => c > 0n && Math.fround(Number(`${c}e${p}`)) === Math.abs(x));
}

describe('formatFloat32', () => {
  it('writes the shortest digits for well-known values', () => {
    expect(formatFloat32(0.1)).toBe('0.1');
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(1 / 3)).toBe('0.33333334');
    expect(formatFloat32(16777216)).toBe('16777216');
    expect(formatFloat32(3.4028234663852886e38)).toBe('3.4028235e+38');
    expect(formatFloat32(1.401298464324817e-45)).toBe('1e-45');
    expect(formatFloat32(1.1754943508222875e-38)).toBe('1.1754944e-38');
    expect(formatFloat32(1e-7)).toBe('1e-7');
    expect(formatFloat32(1.5e21)).toBe('1.5e+21');
    expect(formatFloat32(-0)).toBe('-0');
    expect(formatFloat32(0)).toBe('0');
    expect(formatFloat32(-2.5)).toBe('-2.5');
    expect(formatFloat32(NaN)).toBe('null');
    expect(formatFloat32(-Infinity)).toBe('null');
  });

  it('reads back bit-exactly through JSON.parse + Math.fround, for any finite float32', () => {
    fc.assert(
      fc.property(fc.oneof(finiteFloat32, anyFiniteBits), (x) => {
        const text = formatFloat32(x);
        expect(Object.is(Math.fround(JSON.parse(text) as number), x)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('is the shortest such text, laid out as JavaScript lays out the same number', () => {
    fc.assert(
      fc.property(fc.oneof(finiteFloat32, anyFiniteBits), (x) => {
        fc.pre(x !== 0);
        const text = formatFloat32(x);
        const k = significantDigits(text);
        if (k > 1) expect(someDecimalOf(x, k - 1)).toBe(false);
        expect(String(Number(text))).toBe(text);
        expect(text.length).toBeLessThanOrEqual(MAX_FLOAT32_TEXT);
      }),
      { numRuns: 5_000 },
    );
  });

  it('writes at the given offset and returns the end', () => {
    const out = new Uint8Array(40).fill(0x20);
    const end = writeFloat32(out, 5, -1.25);
    expect(end).toBe(10);
    expect(Buffer.from(out).toString('latin1', 0, 12)).toBe('     -1.25  ');
  });
});

describe('JsonWriter', () => {
  it('writes Float32Arrays about half as long as JSON.stringify, and the same values', () => {
    fc.assert(
      fc.property(fc.float32Array({ noDefaultInfinity: true, noNaN: true, maxLength: 200 }), (samples) => {
        const text = stringifyFloat32Array(samples);
        const parsed = JSON.parse(text) as number[];
        expect(parsed.length).toBe(samples.length);
        parsed.forEach((v, i) => expect(Object.is(Math.fround(v), samples[i])).toBe(true));
        expect(text.length).toBeLessThanOrEqual(JSON.stringify(Array.from(samples)).length + samples.length);
      }),
    );
    const signal = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i / 9) * 2 + 0.1);
    expect(stringifyFloat32Array(signal).length).toBeLessThan(0.65 * JSON.stringify(Array.from(signal)).length);
  });

  it('writes any other JSON value exactly as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(new JsonWriter(16).value(value).take().toString('utf8')).toBe(JSON.stringify(value));
      }),
    );
    const odd = { a: undefined, b: () => 1, c: [undefined, Symbol('s')], d: new Date(0), e: { toJSON: () => 'x' }, f: NaN };
    expect(new JsonWriter().value(odd).take().toString()).toBe(JSON.stringify(odd));
  });

  it('writes finite numbers and strings one by one exactly as JSON.stringify does', () => {
    const number = fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-0, 2 ** 53, -(2 ** 60), 1e21, 123456789012));
    fc.assert(
      fc.property(fc.array(fc.oneof(number, fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ maxLength: 20 }))), (values) => {
        // A small writer, so growing its buffer mid-value is covered too.
        const writer = new JsonWriter(8);
        for (const value of values) {
          if (typeof value === 'number') writer.number(value).raw(',');
          else writer.string(value).raw(',');
        }
        expect(writer.take().toString('utf8')).toBe(values.map((v) => `${JSON.stringify(v)},`).join(''));
      }),
    );
  });

  it('writes Float32Arrays nested in plain objects and arrays with float32 digits', () => {
    const writer = new JsonWriter(8);
    const value = { deviceId: 'dev-ü', offset: 7, rms: new Float32Array([0.1, -0, 3e-39]), more: [new Float32Array([1.5])] };
    expect(writer.value(value).take().toString('utf8')).toBe('{"deviceId":"dev-ü","offset":7,"rms":[0.1,-0,3e-39],"more":[[1.5]]}');
    const start = writer.byteLength;
    writer.raw('\n').float32(0.2);
    expect(writer.takeFrom(start).toString()).toBe('\n0.2');
    expect(writer.reset().byteLength).toBe(0);
  });
});
