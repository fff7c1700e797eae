import zlib from 'node:zlib';
import { COMPRESSIONS } from '../env/schema.ts';
import { ConfigError } from '../errors.ts';
import { packageExports } from '../lazy-import.ts';

export { COMPRESSIONS };
export type Compression = (typeof COMPRESSIONS)[number];

/** What kafkajs calls to (de)compress a record batch. */
export interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

type ZstdZlib = typeof zlib & {
  zstdCompressSync?: (data: Buffer) => Buffer;
  zstdDecompressSync?: (data: Buffer) => Buffer;
};
const zstd = zlib as ZstdZlib;

export function isCompression(value: string): value is Compression {
  return (COMPRESSIONS as readonly string[]).includes(value);
}

/** DSPFN_KAFKA_COMPRESSION (or an option) checked at cold start: unknown names and unsupported runtimes fail here. */
export function checkCompression(value: string, name = 'DSPFN_KAFKA_COMPRESSION'): Compression {
  const compression = value.trim().toLowerCase();
  if (!isCompression(compression)) throw new ConfigError(`${name} must be one of ${COMPRESSIONS.join(', ')}, got "${value}"`);
  if (compression === 'zstd' && (typeof zstd.zstdCompressSync !== 'function' || typeof zstd.zstdDecompressSync !== 'function')) {
    throw new ConfigError(`zstd compression needs Node.js >= 22.15 (node:zlib zstd; the Lambda nodejs22.x runtime has it), this is ${process.version}`);
  }
  return compression;
}

/** zstd through node:zlib: no native addon to bundle. */
export const zstdCodec: KafkajsCodec = {
  async compress(encoder) {
    return zstd.zstdCompressSync!(encoder.buffer);
  },
  async decompress(buffer) {
    return zstd.zstdDecompressSync!(buffer);
  },
};

const LZ4_MAGIC = 0x184d2204;
/** Version 01 and independent blocks: Kafka's reader refuses frames whose blocks depend on earlier ones. */
const LZ4_FLG = 0x60;
/** Largest block, 4 MiB (code 7). */
const LZ4_BD = 0x70;
const LZ4_BLOCK = 4 << 20;
const LZ4_RAW = 0x80000000;

/** xxHash32 (seed 0) of fewer than 4 bytes: all an lz4 frame header checksum needs. */
export function xxh32Short(bytes: Uint8Array, start: number, length: number): number {
  const PRIME1 = 2654435761, PRIME2 = 2246822519, PRIME3 = 3266489917, PRIME5 = 374761393;
  let h = (PRIME5 + length) >>> 0;
  for (let i = start; i < start + length; i++) {
    h = (h + Math.imul(bytes[i]!, PRIME5)) >>> 0;
    h = Math.imul((h << 11) | (h >>> 21), PRIME1) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 15), PRIME2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), PRIME3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * lz4 frames as Kafka's LZ4 codec reads them (independent blocks, no checksums but the header's),
 * from lz4js's block compressor (plain JavaScript: loaded only when lz4 is configured, nothing
 * native to build for arm64). lz4js's own frame writer omits the independence flag, which brokers
 * refuse.
 */
export async function lz4Codec(): Promise<KafkajsCodec> {
  const lz4 = packageExports(await import('lz4js'));
  const table = new Uint32Array(1 << 16);
  return {
    async compress(encoder) {
      const src = encoder.buffer;
      const blocks = Math.max(1, Math.ceil(src.length / LZ4_BLOCK));
      const out = Buffer.allocUnsafe(7 + blocks * (4 + lz4.compressBound(Math.min(src.length, LZ4_BLOCK))) + 4);
      out.writeUInt32LE(LZ4_MAGIC, 0);
      out[4] = LZ4_FLG;
      out[5] = LZ4_BD;
      out[6] = (xxh32Short(out, 4, 2) >>> 8) & 0xff;
      let at = 7;
      for (let start = 0; start < src.length; start += LZ4_BLOCK) {
        const length = Math.min(LZ4_BLOCK, src.length - start);
        table.fill(0);
        const size = lz4.compressBlock(src, out.subarray(at + 4), start, length, table);
        if (size > 0 && size < length) {
          out.writeUInt32LE(size, at);
          at += 4 + size;
        } else {
          out.writeUInt32LE((LZ4_RAW | length) >>> 0, at);
          src.copy(out, at + 4, start, start + length);
          at += 4 + length;
        }
      }
      out.writeUInt32LE(0, at);
      return out.subarray(0, at + 4);
    },
    async decompress(buffer) {
      const bytes = lz4.decompress(buffer);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}
