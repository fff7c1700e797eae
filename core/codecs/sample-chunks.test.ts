import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SampleChunks } from './sample-chunks.ts';

describe('SampleChunks', () => {
  it('copies each block into memory later copies never touch, sharing chunks between small blocks', () => {
    fc.assert(
      fc.property(fc.array(fc.float32Array({ maxLength: 40 }), { maxLength: 30 }), fc.integer({ min: 16, max: 64 }), (blocks, chunkSamples) => {
        const chunks = new SampleChunks(chunkSamples);
        const scratch = new Float32Array(64);
        const copies = blocks.map((block) => {
          scratch.set(block);
          const copy = chunks.copy(scratch, block.length);
          scratch.fill(-1); // the source is reused, as the reader's scratch is
          return copy;
        });
        copies.forEach((copy, i) => expect(Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength)).toEqual(Buffer.from(blocks[i]!.buffer)));
        for (const copy of copies) expect(copy.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 500 },
    );
  });

  it('gives a large block an array of its own and small ones views of one chunk', () => {
    const chunks = new SampleChunks(16);
    const a = chunks.copy(Float32Array.of(1, 2), 2);
    const b = chunks.copy(Float32Array.of(3, 4, 5), 3);
    expect(a.buffer).toBe(b.buffer);
    expect([...a, ...b]).toEqual([1, 2, 3, 4, 5]);
    const big = chunks.copy(new Float32Array(5).fill(7), 5);
    expect(big.buffer).not.toBe(a.buffer);
    expect(big.byteOffset).toBe(0);
  });

  it('hands out blocks written in place on the terms of copy, renewing a chunk only when little is left', () => {
    const chunks = new SampleChunks(16);
    expect(chunks.renew()).toBe(true); // the empty first chunk
    chunks.target.set([1, 2, 3], chunks.at);
    const a = chunks.take(3);
    expect(chunks.renew()).toBe(false); // 13 left, a quarter is 4
    chunks.target.set([4, 5, 6, 7, 8, 9], chunks.at);
    const big = chunks.take(6); // more than a quarter: a copy of its own, the room reused
    expect(big.buffer).not.toBe(a.buffer);
    const views = [9, 10, 11].map((x) => {
      chunks.target.set([x, x, x, x], chunks.at);
      return chunks.take(4);
    });
    for (const view of views) expect(view.buffer).toBe(a.buffer);
    expect([...a, ...big]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(chunks.renew()).toBe(true); // 1 left
    expect(chunks.at).toBe(0);
    chunks.target.fill(0);
    expect([...a, ...views.flatMap((view) => [...view])]).toEqual([1, 2, 3, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11]);
  });
});
