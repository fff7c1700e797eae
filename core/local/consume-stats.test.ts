import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsumeCounters } from './consume-stats.ts';
import { LatencyHistogram } from './latency-histogram.ts';

describe('ConsumeCounters', () => {
  it('counts each record of a run of equal timestamps, as one count per record would', () => {
    const ages = fc.array(fc.integer({ min: -3, max: 5_000 }), { minLength: 1, maxLength: 12 });
    // Runs of repeated timestamps, as a producer's send stamps its records.
    const runs = fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(runs, ages, (list, extra) => {
        const now = 20_000;
        const records = [...list.flatMap(([t, n]) => Array.from({ length: n }, () => ({ timestamp: t }))), ...extra.map((a) => ({ timestamp: now - a }))];
        const counters = new ConsumeCounters('f', 'g', ['t']);
        counters.recordLatencies(records, now);
        counters.recordFetched(records, now);
        const one = new LatencyHistogram();
        for (const r of records) one.record(now - r.timestamp);
        const stats = counters.snapshot();
        for (const [p, got] of [
          [50, stats.latencyP50Ms],
          [99, stats.latencyP99Ms],
          [50, stats.fetchedP50Ms],
          [99, stats.fetchedP99Ms],
        ] as const) {
          expect(got).toBe(one.percentile(p));
        }
      }),
    );
  });

  it('counts a run of queued records as that many', () => {
    const counters = new ConsumeCounters('f', 'g', ['t']);
    counters.recordQueued(7, 99);
    counters.recordQueued(500, 2);
    expect([counters.snapshot().queuedP50Ms, counters.snapshot().queuedP99Ms]).toEqual([7, 500]);
  });
});
