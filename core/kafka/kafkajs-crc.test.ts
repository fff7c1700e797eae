import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeKafkajsCrc32c } from './kafkajs-crc.ts';

const require = createRequire(import.meta.url);
type Crc = (data: Buffer) => number;

describe('kafkajs with the native CRC-32C', () => {
  it("registers the native function as kafkajs's CRC-32C module, giving the values of kafkajs's own JavaScript one", () => {
    expect(nativeKafkajsCrc32c()).toBe(true);
    // Idempotent: a second producer finds it in place.
    expect(nativeKafkajsCrc32c()).toBe(true);
    const used = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as Crc;
    // kafkajs's own implementation (the module its index wraps), loaded beside it for reference.
    const own = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as Crc;
    const reference = (data: Buffer) => own(data) >>> 0;
    expect(used(Buffer.from('123456789'))).toBe(0xe3069283);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const data = Buffer.from(bytes);
        expect(used(data)).toBe(reference(data));
      }),
      { numRuns: 200 },
    );
  });
});
