import { describe, expect, it } from 'vitest';
import { defaultMaxBufferedRecords, MAX_BATCH_SIZE } from './limits.ts';

describe('defaultMaxBufferedRecords', () => {
  it('holds four batches, and at least 4,000 records, at every batch size', () => {
    for (const batchSize of [1, 10, 100, 999, 1_000, 1_001, 2_500, MAX_BATCH_SIZE]) {
      const max = defaultMaxBufferedRecords(batchSize);
      expect(max).toBeGreaterThanOrEqual(4 * batchSize);
      expect(max).toBeGreaterThanOrEqual(4_000);
      // Resuming once a whole batch fits again leaves at least three batches to run meanwhile.
      expect(max - batchSize).toBeGreaterThanOrEqual(3 * batchSize);
    }
    expect(defaultMaxBufferedRecords(1_000)).toBe(4_000);
    expect(defaultMaxBufferedRecords(MAX_BATCH_SIZE)).toBe(40_000);
  });
});
