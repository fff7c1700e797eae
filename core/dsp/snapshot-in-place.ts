import type { PipelineShape } from './pipeline-shape.ts';
import { SNAPSHOT_MAGIC, SNAPSHOT_VERSION, topicAt, type AbsorbedOffset } from './snapshot.ts';

/** A pipeline's fence key for a topic-partition. */
export function partitionId(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * Where the stage states of `bytes` start (snapshot.ts's layout) when it is a well-formed snapshot
 * of `shape`'s configuration whose stage states all have their current layout; -1 for anything
 * else, which Pipeline.restore then decodes (and refuses or upgrades) the general way. A restore
 * per key per batch then reads the snapshot in place instead of decoding it into objects.
 */
export function currentStages(bytes: Uint8Array, view: DataView, shape: PipelineShape): number {
  const { kinds, stateVersions } = shape;
  const length = bytes.length;
  if (length < 20) return -1;
  if (view.getUint32(0, true) !== SNAPSHOT_MAGIC || view.getUint16(4, true) !== SNAPSHOT_VERSION || view.getUint16(6, true) !== kinds.length) return -1;
  if (view.getUint32(8, true) !== shape.hashLow || view.getUint32(12, true) !== shape.hashHigh) return -1;
  const offsets = view.getUint32(16, true);
  let at = 20;
  for (let i = 0; i < offsets; i++) {
    if (at + 2 > length) return -1;
    at += 2 + view.getUint16(at, true) + 12;
    if (at > length) return -1;
  }
  const first = at;
  for (let i = 0; i < kinds.length; i++) {
    if (at + 8 > length || bytes[at] !== kinds[i] || bytes[at + 1] !== stateVersions[i]) return -1;
    at += 8 + view.getUint32(at + 4, true);
    if (at > length) return -1;
  }
  return at === length ? first : -1;
}

/** The fence of a snapshot currentStages accepted, as `absorbed` (cleared first) holds it. */
export function readFence(bytes: Uint8Array, view: DataView, absorbed: Map<string, AbsorbedOffset>): void {
  absorbed.clear();
  const offsets = view.getUint32(16, true);
  let at = 20;
  for (let i = 0; i < offsets; i++) {
    const topicLength = view.getUint16(at, true);
    const topic = topicAt(bytes, at + 2, topicLength);
    at += 2 + topicLength;
    const partition = view.getUint32(at, true);
    absorbed.set(partitionId(topic, partition), { topic, partition, offset: view.getFloat64(at + 4, true) });
    at += 12;
  }
}
