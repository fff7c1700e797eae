import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.ts';
import { commitArgs, decodeFence, encodeFence, parseLoadReply, resolveLayout } from './redis-layout.ts';

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
    const loaded = parseLoadReply(['k'], [Buffer.from([1]).toString('base64'), stored]);
    const expected = loaded.get('k')!.offsets;
    const { args } = commitArgs(resolveLayout(), [{ key: 'k', snapshot: new Uint8Array([2]), offsets: [{ topic: 'a', partition: 0, offset: 5 }], expected }]);
    expect(args[1]).toBe(stored);
    // A copy of the offsets (not what load returned) is encoded canonically.
    const copy = commitArgs(resolveLayout(), [{ key: 'k', snapshot: new Uint8Array([2]), offsets: [], expected: [...expected] }]);
    expect(copy.args[1]).toBe('a\t0\t1\nb\t1\t2\n');
  });
});
