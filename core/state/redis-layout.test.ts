import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.ts';
import { commitArgs, decodeFence, decodeValue, encodeFence, encodeValue, parseLegacyReply, parseValues, resolveLayout, splitCommit } from './redis-layout.ts';
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
    const { args } = commitArgs(resolveLayout(), [{ key: 'k', snapshot: new Uint8Array([2]), offsets: [{ topic: 'a', partition: 0, offset: 5 }], expected }]);
    expect(args[1]).toBe(stored);
    // A copy of the offsets (not what load returned) is encoded canonically.
    const copy = commitArgs(resolveLayout(), [{ key: 'k', snapshot: new Uint8Array([2]), offsets: [], expected: [...expected] }]);
    expect(copy.args[1]).toBe('a\t0\t1\nb\t1\t2\n');
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

  it('split a commit by argument bytes, two arguments per entry', () => {
    const layout = resolveLayout();
    const entries = ['a', 'b', 'c'].map((key) => ({ key, snapshot: new Uint8Array(30), offsets: [{ topic: 't', partition: 0, offset: 1 }], expected: null }));
    const { keys, args } = commitArgs(layout, entries);
    expect(args).toHaveLength(1 + 2 * 3);
    const parts = splitCommit(keys, args, 230); // about 105 bytes per entry
    expect(parts.map((p) => p.keys)).toEqual([['dspfn:a', 'dspfn:b'], ['dspfn:c']]);
    expect(parts[1]!.args).toEqual(['0', args[5], args[6]]);
  });
});
