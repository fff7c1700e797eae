import type { ICustomPartitioner } from 'kafkajs';

/**
 * Kafka's default partitioning hash (the Java client's `Utils.murmur2(key) & 0x7fffffff`, which
 * kafkajs and @platformatic/kafka's compatibilityPartitioner compute too), in 32-bit integer
 * arithmetic: the client's version works in BigInt and allocates for every message, and a
 * consumer's results repeat the same few thousand keys, so each key's hash is also remembered.
 * The caller takes it modulo the topic's partition count (as the clients do with theirs).
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2Positive(bytes: Uint8Array): number {
  const length = bytes.length;
  let h = SEED ^ length;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  switch (length - i) {
    case 3:
      h ^= bytes[i + 2]! << 16;
    // falls through
    case 2:
      h ^= bytes[i + 1]! << 8;
    // falls through
    case 1:
      h ^= bytes[i]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h & 0x7fffffff;
}

/** Keys remembered at most; past it the table starts over (a key's hash never changes). */
const MAX_KEYS = 16_384;
const hashes = new Map<string, number>();

/** murmur2Positive of a key given as text (UTF-8) or bytes; text keys are remembered. */
export function keyHash(key: string | Uint8Array): number {
  if (typeof key !== 'string') return murmur2Positive(key);
  let hash = hashes.get(key);
  if (hash === undefined) {
    hash = murmur2Positive(Buffer.from(key, 'utf8'));
    if (hashes.size >= MAX_KEYS) hashes.clear();
    hashes.set(key, hash);
  }
  return hash;
}

/** The partition of a message: its key's hash modulo the partition count, partition 0 without a key (Java-compatible partitioning). */
export function partitionOf(key: string | Uint8Array | null, partitions: number): number {
  return key === null ? 0 : keyHash(key) % partitions;
}

/**
 * kafkajs's DefaultPartitioner with keyed messages hashed by keyHash: the same partitions (Java's
 * murmur2), without its 64-bit Long arithmetic and a filtered copy of the partition list per message.
 * Messages with a partition of their own, or without a key (round robin), are the default's.
 */
export function kafkajsPartitioner(createDefault: ICustomPartitioner): ICustomPartitioner {
  return () => {
    const fallback = createDefault();
    return (args) => {
      const { key, partition } = args.message;
      if ((partition === null || partition === undefined) && (typeof key === 'string' || Buffer.isBuffer(key))) return keyHash(key) % args.partitionMetadata.length;
      return fallback(args);
    };
  };
}
