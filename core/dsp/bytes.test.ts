import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './bytes.ts';

describe('ByteWriter', () => {
  it('keeps every value when a write grows the buffer, whatever the width', () => {
    const out = new ByteWriter(3);
    for (let i = 0; i < 50; i++) out.u8(i).u16(1000 + i).u32(70_000 + i).u64(BigInt(i) << 40n).f64(i + 0.5);
    const input = new ByteReader(out.finish());
    for (let i = 0; i < 50; i++) {
      expect([input.u8(), input.u16(), input.u32(), input.u64(), input.f64()]).toEqual([i, 1000 + i, 70_000 + i, BigInt(i) << 40n, i + 0.5]);
    }
    input.expectEnd();
  });
});
