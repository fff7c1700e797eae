import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedBase64Slab } from './keyed-slab.ts';
import { strictBase64 } from './record.ts';

const text = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
  fc.string({ maxLength: 24 }),
  fc.stringMatching(/^[A-Za-z0-9+/=!* _-]{0,24}$/),
);
const record = fc.record({ key: fc.option(fc.constantFrom('a2V5LTE=', 'a2V5LTI=', 'a2V5LTM=', '', 'bad!'), { nil: undefined }), value: fc.option(text, { nil: undefined }) });

describe('KeyedBase64Slab', () => {
  it('decodes every key and value exactly as strictBase64 does, a key’s valid values back to back and 8-byte aligned, none overwriting another', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 16 }), fc.boolean(), (records, offPlan) => {
        const slab = new KeyedBase64Slab();
        for (const r of records) slab.plan(r.key, r.value);
        slab.allocate();
        // Out of plan (a text decoded that was not planned there) costs a buffer of its own, never a wrong result.
        if (offPlan) expect(slab.decode('AAEC')?.toString('hex')).toBe('000102');
        const decoded = records.map((r) => ({ key: r.key === undefined ? undefined : slab.decode(r.key, false), value: r.value === undefined ? undefined : slab.decode(r.value) }));
        records.forEach((r, i) => {
          for (const field of ['key', 'value'] as const) {
            const raw = r[field];
            if (raw === undefined) continue;
            expect(decoded[i]![field]?.toString('hex')).toBe(strictBase64(raw)?.toString('hex'));
          }
        });
        if (offPlan) return;
        // A key's values that decoded to whole 8-byte multiples follow one another in the slab.
        const byKey = new Map<string, Buffer[]>();
        records.forEach((r, i) => {
          const value = decoded[i]!.value;
          if (value === undefined) return;
          expect(value.byteOffset % 8).toBe(0);
          const group = byKey.get(r.key ?? '') ?? [];
          group.push(value);
          byKey.set(r.key ?? '', group);
        });
        for (const values of byKey.values()) {
          for (let j = 1; j < values.length; j++) {
            const before = values[j - 1]!;
            if (before.buffer === values[j]!.buffer && before.length % 8 === 0 && strictBase64(before.toString('base64')) !== undefined) {
              expect(values[j]!.byteOffset).toBeGreaterThanOrEqual(before.byteOffset + before.length);
            }
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('lays a key’s f32le values out back to back, so their samples are one block', () => {
    const slab = new KeyedBase64Slab();
    const values = [0, 1, 2, 3, 4, 5].map((i) => Buffer.from(Float32Array.of(i, i + 0.5).buffer).toString('base64'));
    const keys = ['QQ==', 'Qg==', 'QQ==', 'Qg==', 'QQ==', 'Qg=='];
    keys.forEach((key, i) => slab.plan(key, values[i]));
    slab.allocate();
    const decoded = keys.map((key, i) => ({ key: slab.decode(key, false)!, value: slab.decode(values[i]!)! }));
    const a = decoded.filter((_, i) => i % 2 === 0).map((d) => d.value);
    expect(a[1]!.byteOffset).toBe(a[0]!.byteOffset + 8);
    expect(a[2]!.byteOffset).toBe(a[1]!.byteOffset + 8);
    expect(Array.from(new Float32Array(a[0]!.buffer, a[0]!.byteOffset, 6))).toEqual([0, 0.5, 2, 2.5, 4, 4.5]);
    expect(decoded.map((d) => d.key.toString())).toEqual(['A', 'B', 'A', 'B', 'A', 'B']);
  });
});
