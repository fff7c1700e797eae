// addPropagated keeps its last answer for the last header list (records sharing one decoded list
// ask one after another): any sequence of lists, shared or not, must give what a fresh look gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KafkaHeader, KafkaRecord } from '../../events/types.ts';
import { addPropagated } from './source-headers.ts';

function naive(record: Pick<KafkaRecord, 'headers'>, propagate: readonly string[]): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const header of record.headers) if (propagate.includes(header.name.toLowerCase())) out[header.name] = header.value;
  return out;
}

const header = fc.record({ name: fc.constantFrom('traceparent', 'TraceParent', 'tracestate', 'content-type', 'x-id'), value: fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)) });

describe('addPropagated', () => {
  it('adds exactly the named headers, whichever lists and propagate lists come one after another', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(header, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom(['traceparent'], ['tracestate', 'x-id'], [] as string[], ['content-type', 'traceparent']), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 20 }),
        (lists: KafkaHeader[][], propagates: string[][], calls) => {
          for (const [l, p] of calls) {
            const record = { headers: lists[l % lists.length]! } as unknown as KafkaRecord;
            const propagate = propagates[p % propagates.length]!;
            expect(addPropagated({}, record, propagate)).toEqual(naive(record, propagate));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
