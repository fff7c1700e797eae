import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper run by kafka.sh; it has no type declarations
import { kraftClusterId } from './cluster-id.mjs';

describe('kraftClusterId', () => {
  it('redraws ids that kafka-storage would parse as an option', () => {
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x41)];
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    let calls = 0;
    const id = kraftClusterId(() => draws[calls++]!);
    expect(calls).toBe(2);
    expect(id).toBe(Buffer.alloc(16, 0x41).toString('base64url'));
  });

  it('prints 22-character base64url ids that never start with "-"', () => {
    for (let i = 0; i < 2000; i++) {
      const id: string = kraftClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
