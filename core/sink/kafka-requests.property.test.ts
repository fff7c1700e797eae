import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../kafka/key-partition.ts';
import type { OutgoingMessage } from '../kafka/producer.ts';
import { requests } from './kafka.ts';
import type { OutputMessage } from './sink.ts';

const topics = ['rms', 'logs', 'dead'] as const;
/** rms and dead have known partition counts, logs has none (the transport does not know it yet). */
const partitions: Record<string, number | undefined> = { rms: 4, dead: 2, logs: undefined };

const message = fc.record({
  topic: fc.constantFrom(...topics),
  key: fc.option(fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `k${i}`)), { nil: null }),
  size: fc.integer({ min: 0, max: 400 }),
  n: fc.nat(),
});

function size(m: OutgoingMessage): number {
  return 64 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
}

describe('KafkaSink requests (property)', () => {
  it('keep every message once, in order per topic, and bound each partition (or unknown topics together) unless one message alone is larger', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 80 }), fc.integer({ min: 100, max: 1500 }), (specs, limit) => {
        const messages: OutputMessage[] = specs.map((s, i) => ({ kind: 'result', topic: s.topic, key: s.key, value: 'v'.repeat(s.size) + i, headers: {} }));
        const out = requests(messages, limit, (topic) => partitions[topic]);
        // Every message once, and per topic in the order sent.
        for (const topic of topics) {
          const sent = messages.filter((m) => m.topic === topic);
          const got = out.flatMap((request) => request.filter((t) => t.topic === topic).flatMap((t) => [...t.messages]));
          expect(got).toEqual(sent);
        }
        // Each request's concatenation is the next slice of the send (requests are consecutive).
        expect(out.flatMap((request) => request.flatMap((t) => [...t.messages])).length).toBe(messages.length);
        for (const request of out) {
          expect(new Set(request.map((t) => t.topic)).size).toBe(request.length);
          const buckets = new Map<string, OutgoingMessage[]>();
          for (const { topic, messages: list, partitions: given } of request) {
            // The partitions computed for the bound go along, for the topics whose count is known.
            const known = partitions[topic];
            if (known === undefined) expect(given).toBeUndefined();
            else expect({ count: given?.count, of: [...(given?.of ?? [])] }).toEqual({ count: known, of: list.map((m) => partitionOf(m.key, known)) });
            for (const m of list) {
              const count = partitions[topic];
              const bucket = count === undefined ? 'unknown' : `${topic}:${partitionOf(m.key, count)}`;
              buckets.set(bucket, [...(buckets.get(bucket) ?? []), m]);
            }
          }
          for (const list of buckets.values()) {
            const bytes = list.reduce((sum, m) => sum + size(m), 0);
            if (list.length > 1) expect(bytes).toBeLessThanOrEqual(limit);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
