import { ByteReader, ByteWriter } from '../dsp/bytes.ts';
import { SnapshotError, StateMismatchError } from '../errors.ts';
import type { WindowSpec } from './spec.ts';

/**
 * What a partition's windows need beyond each key's own state: the largest event time seen on the
 * partition (its watermark), and which keys have open windows, with the earliest end of each. The
 * handler reads it to load, in the same round trip as the batch's keys, the keys whose windows
 * the batch will close though they have no record in it.
 */
export class PartitionIndex {
  /** Largest event time seen on the partition; -Infinity before the first record. */
  maxEventTime = Number.NEGATIVE_INFINITY;
  /** Everything up to here was closed by an idle tick (the watermark never goes below it). */
  closedThrough = Number.NEGATIVE_INFINITY;
  /** Wall-clock time of the last batch with records for this partition. */
  lastActivity = Number.NEGATIVE_INFINITY;
  /** Key → earliest end among its open windows. */
  readonly openKeys = new Map<string, number>();

  constructor(
    readonly spec: WindowSpec,
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Largest event time minus allowed lateness, never below what an idle tick closed. */
  watermark(): number {
    return Math.max(this.maxEventTime - this.spec.allowedLateness, this.closedThrough);
  }

  /**
   * Partition index, format version 1, little-endian:
   *   "DSPX" · u16 version · u16 0 · u64 window config hash · u16 topic length · topic · u32 partition
   *   f64 max event time · f64 closed through · f64 last activity · u32 key count
   *   per key: u32 key length · key (UTF-8) · f64 earliest open window end
   */
  snapshot(): Uint8Array {
    const out = new ByteWriter();
    const topic = utf8.encode(this.topic);
    out.u32(INDEX_MAGIC).u16(INDEX_VERSION).u16(0).u64(this.spec.configHash).u16(topic.length).bytes(topic).u32(this.partition);
    out.f64(this.maxEventTime).f64(this.closedThrough).f64(this.lastActivity).u32(this.openKeys.size);
    for (const [key, end] of this.openKeys) {
      const name = utf8.encode(key);
      out.u32(name.length).bytes(name).f64(end);
    }
    return out.finish();
  }

  static restore(spec: WindowSpec, bytes: Uint8Array): PartitionIndex {
    const input = new ByteReader(bytes, 'partition window index');
    if (input.u32() !== INDEX_MAGIC) throw new SnapshotError('not a dspfn partition window index (bad magic)');
    const version = input.u16();
    if (version !== INDEX_VERSION) throw new SnapshotError(`partition window index version ${version} is not supported (this dspfn reads ${INDEX_VERSION})`);
    input.u16();
    const hash = input.u64();
    const topic = fromUtf8.decode(input.bytesView(input.u16()));
    const partition = input.u32();
    if (hash !== spec.configHash) {
      throw new StateMismatchError(`the window index of ${topic}-${partition} was written with another window configuration; reset its state to start afresh`);
    }
    const index = new PartitionIndex(spec, topic, partition);
    index.maxEventTime = input.f64();
    index.closedThrough = input.f64();
    index.lastActivity = input.f64();
    const count = input.u32();
    if (count > input.remaining / 12) throw new SnapshotError(`partition window index is truncated: ${count} keys do not fit`);
    for (let i = 0; i < count; i++) {
      const key = fromUtf8.decode(input.bytesView(input.u32()));
      index.openKeys.set(key, input.f64());
    }
    input.expectEnd();
    return index;
  }
}

export const INDEX_MAGIC = 0x58505344; // "DSPX" read as little-endian u32
export const INDEX_VERSION = 1;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
