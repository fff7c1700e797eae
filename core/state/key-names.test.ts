import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitCalls } from './commit-payload.ts';
import { RedisKeyNames } from './key-names.ts';
import { resolveLayout } from './redis-layout.ts';

const commitKeys = (names: RedisKeyNames, keys: readonly string[]) => {
  const out: string[] = [];
  const repeated = names.commitKeys(keys.length, (i) => keys[i]!, out);
  return { out, repeated };
};

describe('Redis key names kept between batches', () => {
  it('prefix every key, and tell a key listed twice in one commit from one listed again in the next', () => {
    const names = new RedisKeyNames('p:');
    expect(names.redisKeys(['a', 'b', 'a'])).toEqual(['p:a', 'p:b', 'p:a']);
    expect(commitKeys(names, ['a', 'b'])).toEqual({ out: ['p:a', 'p:b'], repeated: false });
    expect(commitKeys(names, ['b', 'a'])).toEqual({ out: ['p:b', 'p:a'], repeated: false });
    expect(commitKeys(names, ['c', 'a', 'c'])).toEqual({ out: ['p:c', 'p:a', 'p:c'], repeated: true });
    expect(commitKeys(names, ['c'])).toEqual({ out: ['p:c'], repeated: false });
  });

  it('agree with a Set of the keys whatever the capacity: full caches are emptied, batches larger than them are not cached', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'tôpic', '');
    fc.assert(
      fc.property(fc.nat({ max: 6 }), fc.array(fc.array(key, { maxLength: 8 }), { maxLength: 6 }), (capacity, batches) => {
        const names = new RedisKeyNames('x:', capacity);
        for (const keys of batches) {
          expect(names.redisKeys(keys)).toEqual(keys.map((k) => `x:${k}`));
          expect(commitKeys(names, keys)).toEqual({ out: keys.map((k) => `x:${k}`), repeated: new Set(keys).size !== keys.length });
        }
      }),
    );
  });

  it('give a commit the same keys and payload as without them', () => {
    const layout = resolveLayout({ prefix: 'p:' });
    const names = new RedisKeyNames(layout.prefix);
    const entry = (key: string, offset: number) => ({ key, snapshot: new Uint8Array([offset]), offsets: [{ topic: 't', partition: 0, offset }], expected: null });
    for (const entries of [[entry('a', 1), entry('b', 2)], [entry('b', 3), entry('a', 4), entry('b', 5)], [entry('a', 6)]]) {
      const [withNames] = commitCalls(layout, entries, Infinity, 9, { names });
      const [without] = commitCalls(layout, entries, Infinity, 9);
      expect(withNames).toEqual(without);
    }
    expect(commitCalls(layout, [entry('b', 3), entry('a', 4), entry('b', 5)], Infinity, 9, { names })[0]!.repeated).toBe(true);
  });
});
