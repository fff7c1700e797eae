import { createRequire, Module } from 'node:module';
import type { Crc32c } from './platformatic-fast-produce.ts';

/** kafkajs's CRC-32C module: what its record batch encoder requires for every batch's checksum. */
export const KAFKAJS_CRC = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';

/**
 * kafkajs computes each record batch's CRC-32C in JavaScript, a table lookup per byte (~7 % of a
 * produce's CPU with consume's results). Before kafkajs first loads that module (it does so with its
 * first produce or fetch, not at import), the module is registered as @node-rs/crc32's native
 * function, which returns the same unsigned values. Returns whether it did: not where kafkajs is
 * bundled (no module registry), the native package is missing or fails the check value, or kafkajs
 * already loaded its own.
 */
export function nativeKafkajsCrc32c(from: string = import.meta.url): boolean {
  try {
    const require = createRequire(from);
    const { crc32c } = require('@node-rs/crc32') as { crc32c: Crc32c };
    // The check value of CRC-32C (RFC 3720): a mismatched binary must not sign batches.
    if (crc32c(Buffer.from('123456789')) !== 0xe3069283) return false;
    const path = require.resolve(KAFKAJS_CRC);
    if (require.cache[path]) return require.cache[path].exports === native;
    native ??= (buffer: Buffer) => crc32c(buffer);
    registerModule(require, path, native);
    return true;
  } catch {
    return false;
  }
}

let native: Crc32c | undefined;

/**
 * Puts `exports` in the module registry as the module at `path` (resolved), so that kafkajs's
 * require of it gets them instead of its file.
 */
export function registerModule(require: NodeJS.Require, path: string, exports: unknown): void {
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = exports;
  require.cache[path] = module;
}
