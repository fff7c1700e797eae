import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { PartitionIndex } from '../windows/partition-index.ts';
import { windowSpec } from '../windows/spec.ts';
import { formatWindowIndex, windowIndexListing } from './window-indexes.ts';

const spec = windowSpec({ window: { type: 'session', gap: '30s' }, aggregate: ['mean'], allowedLateness: '5s' });
const T0 = Date.UTC(2026, 0, 1);

function stored(index: PartitionIndex, committedAt?: number) {
  return { snapshot: index.snapshot(), offsets: [{ topic: index.topic, partition: index.partition, offset: 41 }], ...(committedAt !== undefined ? { committedAt } : {}) };
}

describe('windowIndexListing', () => {
  it('reads a partition index without the window configuration: watermark with the lateness given, open keys, commit, offset', () => {
    const index = new PartitionIndex(spec, 'in', 3);
    index.maxEventTime = T0 + 60_000;
    index.lastActivity = T0 + 1_000;
    index.openKeys.set('a', T0 + 90_000).set('b', T0 + 95_000);
    const listed = windowIndexListing('fn!window-index:in-3', stored(index, T0 + 2_000), new Map([['in/3', 3], ['in/4', 9]]), 5_000);
    expect(listed).toEqual({
      topic: 'in',
      partition: 3,
      openKeys: 2,
      openWindows: 3,
      maxEventTime: new Date(T0 + 60_000).toISOString(),
      watermark: new Date(T0 + 55_000).toISOString(),
      lastActivity: new Date(T0 + 1_000).toISOString(),
      committedAt: new Date(T0 + 2_000).toISOString(),
      offset: 41,
      configHash: spec.configHash.toString(16).padStart(16, '0'),
    });
    expect(formatWindowIndex(listed)).toBe(`  in/3  watermark ${new Date(T0 + 55_000).toISOString()}  3 open window(s) in 2 key(s)  committed ${new Date(T0 + 2_000).toISOString()}  offset 41`);
    // What an idle tick closed holds the watermark up, whatever the lateness.
    index.closedThrough = T0 + 120_000;
    expect(windowIndexListing('k', stored(index), new Map(), 5_000)).toMatchObject({ watermark: new Date(T0 + 120_000).toISOString(), closedThrough: new Date(T0 + 120_000).toISOString() });
  });

  it('lists a partition before its first record without times, and refuses a value that is not an index', () => {
    const empty = windowIndexListing('k', stored(new PartitionIndex(spec, 'in', 0)), new Map(), 0);
    expect(empty).not.toHaveProperty('watermark');
    expect(empty).not.toHaveProperty('committedAt');
    expect(formatWindowIndex(empty)).toBe('  in/0  watermark (no record yet)  0 open window(s) in 0 key(s)  committed (commit time not stored)  offset 41');
    const bad = { snapshot: new TextEncoder().encode('#dspfn-index 1 nonsense\n'), offsets: [] };
    expect(() => windowIndexListing('fn!window-index:in-0', bad, new Map(), 0)).toThrow(ConfigError);
    expect(() => windowIndexListing('fn!window-index:in-0', bad, new Map(), 0)).toThrow(/window index fn!window-index:in-0 holds a value this dspfn cannot decode: .*malformed header/);
  });
});
