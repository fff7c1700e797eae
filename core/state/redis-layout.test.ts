import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.ts';
import { commitCalls } from './commit-payload.ts';
import { PayloadWriter } from './payload-writer.ts';
import { decodeFence, decodeValue, encodeFence, encodeValue, isTextSnapshot, parseLegacyReply, parseValues, resolveLayout } from './redis-layout.ts';
import type { StoredState } from './store.ts';

describe('fence text', () => {
  it('decodes one-partition and many-partition fences, refusing malformed ones without echoing them', () => {
    expect(decodeFence('my-topic\t3\t42\n', 'k')).toEqual([{ topic: 'my-topic', partition: 3, offset: 42 }]);
    expect(decodeFence('a\t0\t1\nb\t1\t2\n', 'k')).toEqual([{ topic: 'a', partition: 0, offset: 1 }, { topic: 'b', partition: 1, offset: 2 }]);
    for (const bad of ['t\t1\n', 't\t1\t\n', 't\tx\t1\n', '\t1\t2', 't\t1\t99999999999999999\n', 't\t-1\t2\n', 'secret-payload']) {
      expect(() => decodeFence(bad, 'k')).toThrow(StateStoreError);
      expect(() => decodeFence(bad, 'k')).not.toThrow(/secret/);
    }
    const offsets = [{ topic: 't', partition: 1, offset: 9 }];
    expect(decodeFence(encodeFence(offsets, 'k'), 'k')).toEqual(offsets);
  });

  it('sends a loaded fence back as it was stored, even when it is not in canonical order', () => {
    const stored = 'b\t1\t2\na\t0\t1\n';
    const expected = decodeValue('k', encodeValue(stored, new Uint8Array([1]))).offsets;
    const [call] = commitCalls(resolveLayout(), [{ key: 'k', snapshot: new Uint8Array([2]), offsets: [{ topic: 'a', partition: 0, offset: 5 }], expected }], Infinity, 7);
    expect(unpack(call!.payload)[0]!.expected).toBe(`dspfn:2\n${stored}\n`);
    // A copy of the offsets (not what load returned) is encoded canonically.
    const [copy] = commitCalls(resolveLayout(), [{ key: 'k', snapshot: new Uint8Array([2]), offsets: [], expected: [...expected] }]);
    expect(unpack(copy!.payload)[0]!.expected).toBe('dspfn:2\na\t0\t1\nb\t1\t2\n\n');
    // Numbers with leading zeros (not what dspfn writes) go back as stored too.
    const zeros = decodeValue('k', encodeValue('t\t00\t007\n', new Uint8Array([1]))).offsets;
    expect(zeros).toEqual([{ topic: 't', partition: 0, offset: 7 }]);
    const [again] = commitCalls(resolveLayout(), [{ key: 'k', snapshot: new Uint8Array([2]), offsets: [], expected: zeros }]);
    expect(unpack(again!.payload)[0]!.expected).toBe('dspfn:2\nt\t00\t007\n\n');
  });
});

/** The entries of a commit payload (commit-payload.ts), read the way the script reads them. */
function unpack(payload: Buffer): Array<{ expected: string; value: string }> {
  const entries: Array<{ expected: string; value: string }> = [];
  for (let at = 0; at < payload.length; ) {
    const e = Number(payload.toString('latin1', at, at + 6));
    const v = Number(payload.toString('latin1', at + 6, at + 15));
    entries.push({ expected: payload.toString('utf8', at + 15, at + 15 + e), value: payload.toString('utf8', at + 15 + e, at + 15 + e + v) });
    at += 15 + e + v;
  }
  return entries;
}

describe('commit payload', () => {
  it('packs each entry as expected start and value with their byte lengths, the value as encodeValue writes it', () => {
    const snapshot = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) % 256);
    const index = new TextEncoder().encode('#dspfn-index 1 ab 5 4 3 \n1\t6b\n');
    const entries = [
      { key: 'a', snapshot, offsets: [{ topic: 't', partition: 3, offset: 9_007_199_254_740_991 }], expected: null },
      { key: 'b', snapshot: new Uint8Array(0), offsets: [], expected: [] },
      { key: 'c', snapshot: index, offsets: [{ topic: 'tôpic', partition: 0, offset: 1 }, { topic: 'a', partition: 2, offset: 0 }], expected: [{ topic: 't', partition: 1, offset: 2 }] },
    ];
    for (let n = 1; n <= 3; n++) {
      const bytes = Uint8Array.from({ length: n * 50 + 1 }, (_, i) => (i * 31 + n) % 256);
      entries.push({ key: `s${n}`, snapshot: bytes, offsets: [{ topic: 't', partition: 0, offset: n }], expected: null });
    }
    const [call] = commitCalls(resolveLayout({ prefix: 'p:' }), entries, Infinity, 1_765_000_000_123);
    expect(call!.keys).toEqual(entries.map((e) => `p:${e.key}`));
    expect(call!.repeated).toBe(false);
    const unpacked = unpack(call!.payload);
    expect(unpacked.map((e) => e.expected)).toEqual(['', 'dspfn:2\n\n', 'dspfn:2\nt\t1\t2\n\n', '', '', '']);
    unpacked.forEach((entry, i) => {
      const e = entries[i]!;
      expect(entry.value).toBe(encodeValue(encodeFence(e.offsets, e.key), e.snapshot, 1_765_000_000_123));
      expect([...decodeValue(e.key, entry.value).snapshot]).toEqual([...e.snapshot]);
    });
  });

  it('write the same payload into a buffer kept from an earlier commit, larger or smaller', () => {
    const layout = resolveLayout();
    const entry = (key: string, size: number) => ({ key, snapshot: Uint8Array.from({ length: size }, (_, i) => i), offsets: [{ topic: 't', partition: 0, offset: size }], expected: null });
    const writer = new PayloadWriter(16);
    for (const entries of [[entry('a', 3)], [entry('b', 500), entry('c', 1)], [entry('d', 2)]]) {
      const [kept] = commitCalls(layout, entries, Infinity, 5, { writer });
      const [fresh] = commitCalls(layout, entries, Infinity, 5);
      expect(kept!.payload).toEqual(fresh!.payload);
      expect(kept!.payload.buffer).toBe(writer.buffer.buffer);
    }
  });

  it('flags a key listed twice, and refuses offsets it cannot store', () => {
    const entry = { key: 'k', snapshot: new Uint8Array([1]), offsets: [{ topic: 't', partition: 0, offset: 1 }], expected: null };
    expect(commitCalls(resolveLayout(), [entry, { ...entry, key: 'j' }])[0]!.repeated).toBe(false);
    expect(commitCalls(resolveLayout(), [entry, entry])[0]!.repeated).toBe(true);
    expect(() => commitCalls(resolveLayout(), [{ ...entry, offsets: [{ topic: 't', partition: 0, offset: -1 }] }])).toThrow(/offset -1 of key k/);
    expect(() => commitCalls(resolveLayout(), [{ ...entry, offsets: [{ topic: 'a\tb', partition: 0, offset: 1 }] }])).toThrow(/tab or newline/);
  });
});

describe('values (layout v2)', () => {
  it('round-trip a fence and any snapshot bytes, with an empty fence too', () => {
    const snapshot = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(encodeValue('t\t0\t5\n', new Uint8Array([0, 255]), 1_765_000_000_123)).toBe(`dspfn:2\nt\t0\t5\n\n${Buffer.from([0, 255]).toString('base64')}\ncommitted:1765000000123`);
    const back = decodeValue('k', encodeValue('a\t0\t1\nb\t1\t2\n', snapshot));
    expect([...back.snapshot]).toEqual([...snapshot]);
    expect(back.offsets).toEqual([{ topic: 'a', partition: 0, offset: 1 }, { topic: 'b', partition: 1, offset: 2 }]);
    const empty = decodeValue('k', encodeValue('', new Uint8Array([7])));
    expect([[...empty.snapshot], empty.offsets]).toEqual([[7], []]);
  });

  it('read the commit time when the value has one, and values of earlier v2 writers without it', () => {
    const now = decodeValue('k', encodeValue('t\t0\t5\n', new Uint8Array([1, 2, 3]), 1_765_000_000_123));
    expect([now.committedAt, [...now.snapshot], now.offsets]).toEqual([1_765_000_000_123, [1, 2, 3], [{ topic: 't', partition: 0, offset: 5 }]]);
    const earlier = decodeValue('k', `dspfn:2\nt\t0\t5\n\n${Buffer.from([1, 2, 3]).toString('base64')}`);
    expect([earlier.committedAt, [...earlier.snapshot], earlier.offsets]).toEqual([undefined, [1, 2, 3], [{ topic: 't', partition: 0, offset: 5 }]]);
    const noFence = decodeValue('k', `dspfn:2\n\n${Buffer.from([4]).toString('base64')}`);
    expect([noFence.committedAt, [...noFence.snapshot]]).toEqual([undefined, [4]]);
    // A key reset by `dspfn state reset`: its fence and an empty snapshot.
    const reset = decodeValue('k', encodeValue('t\t0\t5\n', new Uint8Array(0), 7));
    expect([reset.committedAt, reset.snapshot.length, reset.offsets]).toEqual([7, 0, [{ topic: 't', partition: 0, offset: 5 }]]);
    for (const bad of ['dspfn:2\nt\t0\t1\n\nAQ==\ncommitted:', 'dspfn:2\nt\t0\t1\n\nAQ==\ncommitted:12x', 'dspfn:2\nt\t0\t1\n\nAQ==\nsecret:1']) {
      expect(() => decodeValue('k', bad)).toThrow(/state key k holds a malformed value/);
    }
  });

  it('round-trip any snapshot bytes and fence through the commit payload and a load, and refuse any character outside base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 2 ** 53 - 1 }), fc.nat(), (bytes, offset, spot) => {
        const offsets = [{ topic: 't', partition: 1, offset }];
        const [call] = commitCalls(resolveLayout(), [{ key: 'k', snapshot: bytes, offsets, expected: null }], Infinity, 3);
        const value = unpack(call!.payload)[0]!.value;
        const back = parseValues(['k'], [value], 1).found.get('k')!;
        expect([[...back.snapshot], back.offsets, back.committedAt]).toEqual([[...bytes], offsets, 3]);
        const body = value.indexOf('\n\n') + 2;
        const end = value.lastIndexOf('\n');
        if (end > body && !isTextSnapshot(bytes)) {
          const at = body + (spot % (end - body));
          for (const bad of ['!', '\u00e9', '\u4e00', '-']) {
            expect(() => decodeValue('k', value.slice(0, at) + bad + value.slice(at + 1))).toThrow(/malformed (snapshot|value)/);
          }
        }
      }),
    );
  });

  it('decode the bytes a TCP load reads as the text the REST API reads, non-canonical fences going back as stored', () => {
    const topics = fc.constantFrom('t', 'tôpic', 'readings', '\u4e00x');
    const line = fc.tuple(topics, fc.nat({ max: 99 }), fc.nat({ max: 2 ** 53 - 1 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(line, { maxLength: 3 }), fc.uint8Array({ maxLength: 90 }), fc.option(fc.nat())), { minLength: 1, maxLength: 6 }), (specs) => {
        const keys = specs.map((_, i) => `k${i}`);
        // A leading zero (`zero`) makes a fence that encodeFence would not write.
        const values = specs.map(([lines, snapshot, at]) =>
          encodeValue(lines.map(([topic, partition, offset, zero]) => `${topic}\t${zero ? '0' : ''}${partition}\t${offset}\n`).join(''), snapshot, at ?? undefined),
        );
        const asText = parseValues(keys, values, keys.length).found;
        // Views into one buffer, as a reply holds them.
        const wire = Buffer.from(values.join(''), 'utf8');
        let at = 0;
        const views = values.map((value) => wire.subarray(at, (at += Buffer.byteLength(value))));
        const asBytes = parseValues(keys, views, keys.length).found;
        keys.forEach((key, i) => {
          const [text, bytes] = [asText.get(key)!, asBytes.get(key)!];
          expect([[...bytes.snapshot], bytes.offsets, bytes.committedAt]).toEqual([[...text.snapshot], text.offsets, text.committedAt]);
          const [call] = commitCalls(resolveLayout(), [{ key, snapshot: new Uint8Array(0), offsets: [], expected: bytes.offsets }]);
          expect(unpack(call!.payload)[0]!.expected).toBe(values[i]!.slice(0, values[i]!.indexOf('\n\n') + 2));
        });
      }),
    );
    const value = Buffer.from(encodeValue('t\t0\t1\n', new Uint8Array([1, 2, 3, 4]), 5));
    for (const bad of [0x80, 0xc3, 0xff, 0x2d, 0x5f]) {
      const copy = Buffer.from(value);
      copy[copy.indexOf('\n\n') + 3] = bad;
      expect(() => parseValues(['k'], [copy], 1)).toThrow(/state key k holds a malformed snapshot/);
    }
  });

  it('load text snapshots (window indexes) beside base64 ones, whatever their sizes', () => {
    const text = (n: number) => new TextEncoder().encode(`#dspfn-index 1 ${'ab'.repeat(n)} 5 4 3 \n1\t6b\n`);
    const snapshots = [text(300), Uint8Array.from({ length: 10 }, (_, i) => i), text(400), text(1), new Uint8Array(0), text(900)];
    const keys = snapshots.map((_, i) => `k${i}`);
    const { found } = parseValues(keys, snapshots.map((snapshot, i) => encodeValue(`t\t0\t${i}\n`, snapshot, 9)), snapshots.length);
    snapshots.forEach((snapshot, i) => expect([...found.get(`k${i}`)!.snapshot]).toEqual([...snapshot]));
  });

  it('refuse values dspfn did not write, without echoing them', () => {
    for (const bad of ['secret-value', 'dspfn:2\nt\t0\t1\nsecret', 'dspfn:2\nt\t0\t1\n\n!!secret!!', 'dspfn:3\n\n']) {
      expect(() => decodeValue('k', bad)).toThrow(/state key k holds a malformed (value|snapshot|fence); delete the key to reset it/);
      expect(() => decodeValue('k', bad)).not.toThrow(/secret/);
    }
  });

  it('ask for the v1 read only when EXISTS counted keys MGET did not return', () => {
    const value = encodeValue('t\t0\t1\n', new Uint8Array([1]));
    expect(parseValues(['a', 'b', 'c'], [value, null, null], 1).legacy).toEqual([]);
    const { found, legacy } = parseValues(['a', 'b', 'c'], [value, null, null], 2);
    expect([[...found.keys()], legacy]).toEqual([['a'], [1, 2]]);
    const more = new Map<string, StoredState>(found);
    parseLegacyReply(['b', 'c'], [[Buffer.from([9]).toString('base64'), 'u\t3\t4\n'], null], more);
    expect([...more.get('b')!.snapshot]).toEqual([9]);
    expect(more.get('b')!.offsets).toEqual([{ topic: 'u', partition: 3, offset: 4 }]);
    expect(more.has('c')).toBe(false);
    expect(() => parseValues(['a'], [42], 1)).toThrow(/malformed value/);
    expect(() => parseValues(['a'], 'x', 1)).toThrow(/MGET answered a string/);
  });

  it('split a commit by JSON bytes into calls of whole entries, in order', () => {
    const layout = resolveLayout();
    const entries = ['a', 'b', 'c'].map((key) => ({ key, snapshot: new Uint8Array(30), offsets: [{ topic: 't', partition: 0, offset: 1 }], expected: null }));
    const [whole] = commitCalls(layout, entries, Infinity, 5);
    const parts = commitCalls(layout, entries, 260, 5); // about 100 bytes of JSON per entry
    expect(parts.map((p) => p.keys)).toEqual([['dspfn:a', 'dspfn:b'], ['dspfn:c']]);
    expect(Buffer.concat(parts.map((p) => p.payload))).toEqual(whole!.payload);
    // An entry larger than the limit goes alone.
    expect(commitCalls(layout, entries, 10, 5).map((p) => p.keys.length)).toEqual([1, 1, 1]);
  });
});
