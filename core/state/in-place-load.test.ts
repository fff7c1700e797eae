import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.ts';
import { encodeFence, encodeValue, parseValues } from './redis-layout.ts';
import { ReplyReader, type BulkStrings } from './resp.ts';

/**
 * The TCP store decodes a load's MGET reply in place, in the connection's receive buffer, which
 * the next reply overwrites: what parseValues returns must hold nothing of those bytes.
 */
const bulk = (value: Buffer | null): Buffer => (value === null ? Buffer.from('$-1\r\n') : Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]));

/** MGET and EXISTS replies as Redis sends them, after `skip` bytes of something else. */
function receiveBuffer(skip: number, values: ReadonlyArray<Buffer | null>, existing: number): Buffer {
  return Buffer.concat([Buffer.alloc(skip, 0x2a), Buffer.from(`*${values.length}\r\n`), ...values.map(bulk), Buffer.from(`:${existing}\r\n`)]);
}

function readInPlace(keys: readonly string[], bytes: Buffer, skip: number): ReturnType<typeof parseValues> {
  const reader = new ReplyReader(bytes, skip, bytes.length);
  const values = reader.bulkStrings() as BulkStrings;
  expect(values.bytes).toBe(bytes);
  return parseValues(keys, values, reader.value());
}

const state = fc.record({
  snapshot: fc.uint8Array({ maxLength: 200 }),
  offset: fc.record({ topic: fc.stringMatching(/^[a-zA-Z0-9._-]{1,20}$/), partition: fc.nat(1_000), offset: fc.nat(Number.MAX_SAFE_INTEGER) }),
  committedAt: fc.nat(2 ** 45),
});

describe('a load decoded in place in the receive buffer', () => {
  it('gives the stored states, nils left out, and keeps none of the buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.option(state, { nil: null }), { minLength: 1, maxLength: 40 }), fc.nat(300), (states, skip) => {
        const keys = states.map((_, i) => `k${i}`);
        const values = states.map((s, i) => (s === null ? null : Buffer.from(encodeValue(encodeFence([s.offset], keys[i]!), s.snapshot, s.committedAt), 'utf8')));
        const bytes = receiveBuffer(skip, values, values.filter((v) => v !== null).length);
        const { found, legacy } = readInPlace(keys, bytes, skip);
        // The next reply lands in the same buffer.
        bytes.fill(0xff);
        expect(legacy).toEqual([]);
        expect(found.size).toBe(values.filter((v) => v !== null).length);
        states.forEach((s, i) => {
          const got = found.get(keys[i]!);
          if (s === null) return expect(got).toBeUndefined();
          expect(got).toEqual({ snapshot: s.snapshot, offsets: [s.offset], committedAt: s.committedAt });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('names the nils EXISTS counted more keys than values for (layout v1 candidates)', () => {
    const keys = ['a', 'b', 'c'];
    const value = Buffer.from(encodeValue(encodeFence([{ topic: 't', partition: 0, offset: 1 }], 'a'), Uint8Array.of(1, 2, 3), 5));
    const { found, legacy } = readInPlace(keys, receiveBuffer(7, [value, null, null], 2), 7);
    expect([...found.keys()]).toEqual(['a']);
    expect(legacy).toEqual([1, 2]);
  });

  it('refuses a malformed value with the key, never its bytes', () => {
    const keys = ['ok', 'bad'];
    const ok = Buffer.from(encodeValue(encodeFence([], 'ok'), Uint8Array.of(9), 5));
    const bad = Buffer.from('dspfn:2\nt\t0\t1\n\nsecret!!');
    expect(() => readInPlace(keys, receiveBuffer(3, [ok, bad], 2), 3)).toThrow(StateStoreError);
    expect(() => readInPlace(keys, receiveBuffer(3, [ok, bad], 2), 3)).toThrow(/bad holds a malformed snapshot/);
    expect(() => readInPlace(keys, receiveBuffer(3, [ok, bad], 2), 3)).not.toThrow(/secret/);
  });
});
