import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from './backend.ts';
import { pipeline } from './pipeline.ts';

const spec = pipeline().movingAverage({ window: 3 });
const step = fc.record({
  op: fc.constantFrom('mark', 'has', 'restore'),
  // Topics whose `topic-partition` ids could be confused if the partition were not compared too.
  topic: fc.constantFrom('t', 't-1', 'u'),
  partition: fc.integer({ min: 0, max: 2 }),
  offset: fc.integer({ min: 0, max: 20 }),
});

describe('Pipeline fence (hasAbsorbed / markAbsorbed)', () => {
  it('answers as a map of the highest offset per topic-partition, across partitions and restores', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let p = spec.create(jsBackend);
        let model = new Map<string, number>();
        for (const { op, topic, partition, offset } of steps) {
          const id = JSON.stringify([topic, partition]);
          if (op === 'mark') {
            p.markAbsorbed(topic, partition, offset);
            model.set(id, Math.max(model.get(id) ?? -1, offset));
          } else if (op === 'has') {
            expect(p.hasAbsorbed(topic, partition, offset)).toBe(offset <= (model.get(id) ?? -1));
          } else {
            // A restored pipeline has the snapshot's fence, whatever the last partition it was asked about.
            const restored = spec.create(jsBackend);
            restored.markAbsorbed(topic, partition, offset);
            restored.restore(p.snapshot());
            p = restored;
            model = new Map(model);
          }
        }
        const offsets = p.offsets().map((o) => [JSON.stringify([o.topic, o.partition]), o.offset] as const);
        expect(new Map(offsets)).toEqual(model);
      }),
      { numRuns: 500 },
    );
  });
});
