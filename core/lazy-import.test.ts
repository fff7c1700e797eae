import { describe, expect, it } from 'vitest';
import { packageExports } from './lazy-import.ts';

describe('packageExports', () => {
  it("unwraps a namespace that holds only module.exports as default (esbuild's split CommonJS chunk)", () => {
    const exports = { Kafka: class {}, Partitioners: {} };
    expect(packageExports({ default: exports } as unknown as typeof exports)).toBe(exports);
  });

  it("keeps Node's namespace, which has the named exports beside default", async () => {
    const namespace = await import('kafkajs');
    expect(packageExports(namespace)).toBe(namespace);
    expect(typeof packageExports(namespace).Kafka).toBe('function');
  });

  it('keeps an ES module whose only export is a primitive default', () => {
    const namespace = { default: 42 };
    expect(packageExports(namespace)).toBe(namespace);
  });
});
