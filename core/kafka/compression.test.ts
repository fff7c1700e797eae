import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { defaultRuntime } from '../handler/runtime.ts';
import { hash } from 'lz4js/xxh32.js';
import { readEnv } from '../env/read-env.ts';
import { KafkaSink } from '../sink/kafka.ts';
import { checkCompression, lz4Codec, xxh32Short, zstdCodec } from './compression.ts';

const hasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
const data = Buffer.from(JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ deviceId: `d-${i % 7}`, rms: [0.1, 0.2, i] }))));

describe('Kafka compression', () => {
  it('accepts the four names, case-insensitively, and refuses others by name', () => {
    expect(['none', 'GZIP', ' lz4 '].map((c) => checkCompression(c))).toEqual(['none', 'gzip', 'lz4']);
    expect(() => checkCompression('snappy')).toThrow(new ConfigError('DSPFN_KAFKA_COMPRESSION must be one of none, gzip, lz4, zstd, got "snappy"'));
    expect(readEnv({ DSPFN_KAFKA_COMPRESSION: 'LZ4' }).DSPFN_KAFKA_COMPRESSION).toBe('lz4');
    expect(() => readEnv({ DSPFN_KAFKA_COMPRESSION: 'brotli' })).toThrow(/DSPFN_KAFKA_COMPRESSION/);
    expect(defaultRuntime('fn', readEnv({ DSPFN_SINK: 'kafka', DSPFN_KAFKA_BROKERS: '127.0.0.1:9', DSPFN_KAFKA_COMPRESSION: 'gzip' })).sink).toBeInstanceOf(KafkaSink);
  });

  it('writes lz4 frames (what Kafka reads) and reads them back', async () => {
    const codec = await lz4Codec();
    const compressed = await codec.compress({ buffer: data });
    expect(compressed.readUInt32LE(0)).toBe(0x184d2204);
    expect(compressed.length).toBeLessThan(data.length / 4);
    expect(await codec.decompress(compressed)).toEqual(data);
    // Independent blocks (Kafka refuses dependent ones) and a valid header checksum.
    expect(compressed[4]).toBe(0x60);
    for (const header of [[0x60, 0x70], [0x64, 0x40], [0, 0], [255, 255]]) expect(xxh32Short(Uint8Array.from(header), 0, 2)).toBe(hash(0, Uint8Array.from(header), 0, 2));
    expect(compressed[6]).toBe((hash(0, compressed, 4, 2) >>> 8) & 0xff);
    // More than one 4 MiB block, and incompressible input stored raw.
    const big = Buffer.concat([Buffer.alloc(5 << 20, 'abcdefgh'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251))]);
    // Buffer.equals: toEqual walks 5 MB byte by byte.
    expect((await codec.decompress(await codec.compress({ buffer: big }))).equals(big)).toBe(true);
    const noise = Buffer.from(Array.from({ length: 3_000 }, (_, i) => (Math.imul(i, 2654435761) >>> 13) & 0xff));
    expect(await codec.decompress(await codec.compress({ buffer: noise }))).toEqual(noise);
    expect(await codec.decompress(await codec.compress({ buffer: Buffer.alloc(0) }))).toEqual(Buffer.alloc(0));
  });

  it(hasZstd ? 'compresses zstd through node:zlib' : 'refuses zstd on a Node.js without zstd in node:zlib, naming the version needed', async () => {
    if (!hasZstd) {
      expect(() => checkCompression('zstd')).toThrow(/zstd compression needs Node\.js >= 22\.15 .*, this is v/);
      return;
    }
    const compressed = await zstdCodec.compress({ buffer: data });
    expect(compressed.readUInt32LE(0)).toBe(0xfd2fb528);
    expect(await zstdCodec.decompress(compressed)).toEqual(data);
  });
});
