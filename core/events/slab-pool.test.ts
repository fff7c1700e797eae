import { describe, expect, it } from 'vitest';
import { SlabPool } from './slab-pool.ts';

describe('SlabPool', () => {
  it('hands a released slab to the next lease that fits in it, and to one lease at a time', () => {
    const pool = new SlabPool(1024);
    const first = pool.lease();
    const a = first.allocate(100);
    const second = pool.lease();
    // The first lease still holds the pooled memory: the second gets its own.
    expect(second.allocate(50).buffer).not.toBe(a.buffer);
    first.release();
    second.release();
    // The larger of the two returned stays pooled.
    const third = pool.lease();
    expect(third.allocate(80).buffer).toBe(a.buffer);
    const fourth = pool.lease();
    expect(fourth.allocate(80).buffer).not.toBe(a.buffer);
    third.release();
    third.release();
    // Too large for what is pooled: new memory, which becomes the pooled slab on release.
    const fifth = pool.lease();
    const big = fifth.allocate(500);
    expect(big.buffer).not.toBe(a.buffer);
    fifth.release();
    expect(pool.lease().allocate(400).buffer).toBe(big.buffer);
  });

  it('keeps nothing beyond its limit, and a lease allocates once, before its release', () => {
    const pool = new SlabPool(64);
    const lease = pool.lease();
    const huge = lease.allocate(65);
    expect(() => lease.allocate(1)).toThrow(/once/);
    lease.release();
    expect(pool.lease().allocate(65).buffer).not.toBe(huge.buffer);
    const done = pool.lease();
    done.release();
    expect(() => done.allocate(1)).toThrow(/before its release/);
  });
});
