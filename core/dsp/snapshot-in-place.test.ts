import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from './backend.ts';
import { pipeline } from './pipeline.ts';
import { shapeOf } from './pipeline-shape.ts';
import { decodeSnapshot, type AbsorbedOffset } from './snapshot.ts';
import { currentStages, partitionId, readFence } from './snapshot-in-place.ts';

const spec = pipeline({ channels: 2 }).movingAverage({ window: 3 }).rms({ window: 2 });
const shape = shapeOf(spec);
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const fence = fc.array(
  fc.record({ topic: fc.constantFrom('in', 'in-1', 'sensors', 'ünï', ''), partition: fc.integer({ min: 0, max: 5 }), offset: fc.integer({ min: 0, max: 2 ** 40 }) }),
  { maxLength: 4 },
);

/** A snapshot of `spec` after some samples and offsets. */
function snapshotOf(samples: number[], offsets: AbsorbedOffset[]): Uint8Array {
  const p = spec.create(jsBackend);
  p.process(Float32Array.from(samples.length % 2 === 0 ? samples : samples.slice(1)));
  for (const o of offsets) p.markAbsorbed(o.topic, o.partition, o.offset);
  return p.snapshot();
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

describe('snapshot read in place (currentStages, readFence)', () => {
  it('accepts exactly what decodeSnapshot reads as this configuration at current layouts, with the same stage states and fence', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, min: -10, max: 10 }), { maxLength: 20 }), fence, fc.array(mutation, { maxLength: 2 }), (samples, offsets, mutations) => {
        let bytes = snapshotOf(samples, offsets);
        for (const { op, at, value } of mutations) {
          const i = at % (bytes.length + 1);
          if (op === 'set' && i < bytes.length) bytes = Uint8Array.from(bytes, (b, j) => (j === i ? value : b));
          else if (op === 'cut') bytes = bytes.slice(0, i);
          else if (op === 'add') bytes = Uint8Array.from([...bytes, value]);
        }
        // Inside a larger buffer, as a store hands snapshots out.
        const held = new Uint8Array(bytes.length + 7);
        held.set(bytes, 3);
        bytes = held.subarray(3, 3 + bytes.length);
        const first = currentStages(bytes, view(bytes), shape);
        let decoded: ReturnType<typeof decodeSnapshot> | undefined;
        try {
          decoded = decodeSnapshot(bytes);
        } catch {
          decoded = undefined;
        }
        const current =
          decoded !== undefined &&
          decoded.configHash === spec.configHash &&
          decoded.stages.length === shape.kinds.length &&
          decoded.stages.every((s, i) => s.kind === shape.kinds[i] && s.version === shape.stateVersions[i]);
        expect(first >= 0).toBe(current);
        if (!current) return;
        let at = first;
        for (const stage of decoded!.stages) {
          const size = view(bytes).getUint32(at + 4, true);
          expect(Array.from(bytes.subarray(at + 8, at + 8 + size))).toEqual(Array.from(stage.state));
          at += 8 + size;
        }
        const absorbed = new Map<string, AbsorbedOffset>([['stale-0', { topic: 'stale', partition: 0, offset: 1 }]]);
        readFence(bytes, view(bytes), absorbed);
        expect(absorbed).toEqual(new Map(decoded!.offsets.map((o) => [partitionId(o.topic, o.partition), o])));
      }),
      { numRuns: 2000 },
    );
  });

  it('restores through it to the very bytes and fence it was given, over a used pipeline', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, min: -10, max: 10 }), { maxLength: 20 }), fence, (samples, offsets) => {
        const bytes = snapshotOf(samples, offsets);
        const p = spec.create(jsBackend);
        p.process(Float32Array.from([1, 2, 3, 4, 5, 6]));
        p.markAbsorbed('other', 9, 9);
        p.restore(bytes);
        expect(Array.from(p.snapshot())).toEqual(Array.from(bytes));
        expect(p.hasAbsorbed('other', 9, 0)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
