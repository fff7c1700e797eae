import { ByteReader, ByteWriter } from './bytes.ts';
import { SnapshotError } from '../errors.ts';
import { descriptorOfKind } from './stages/catalogue.ts';

/**
 * Pipeline snapshot, format version 1, little-endian:
 *   "DSPF" · u16 version · u16 stage count · u64 config hash · u32 offset count
 *   offsets: u16 topic length · topic (UTF-8) · u32 partition · f64 offset (integer-valued)
 *   stages:  u8 kind · u8 state version · u16 0 · u32 length · stage state
 * Kinds are the stages' ids in stages/kinds.lock.json. The state version is the stage's
 * `stateVersion` (0 for every stage's first layout: the byte was always 0 before it had a meaning).
 * Stage states are defined beside each kernel; both backends write identical bytes.
 */
export const SNAPSHOT_MAGIC = 0x46505344; // "DSPF" read as little-endian u32
export const SNAPSHOT_VERSION = 1;

export interface AbsorbedOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** The offset a fence holds for one topic-partition; undefined when it holds none. */
export function fencedOffset(offsets: readonly AbsorbedOffset[], topic: string, partition: number): number | undefined {
  return offsets.find((o) => o.topic === topic && o.partition === partition)?.offset;
}

export interface StageState {
  kind: number;
  /** Layout version of `state` (the stage descriptor's `stateVersion` when it was written). */
  version: number;
  state: Uint8Array;
}

export interface PipelineSnapshot {
  version: number;
  configHash: bigint;
  offsets: AbsorbedOffset[];
  stages: StageState[];
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

let lastTopic = '';
let lastTopicBytes = new Uint8Array(0);

/** A key's offsets are mostly of one topic, as are a batch's keys: the last one's bytes are kept (never handed out). */
function topicBytes(topic: string): Uint8Array {
  if (topic !== lastTopic) {
    lastTopicBytes = utf8.encode(topic);
    lastTopic = topic;
  }
  return lastTopicBytes;
}

let lastRead = '';
let lastReadBytes = new Uint8Array(0);

/** The topic whose UTF-8 bytes are bytes[at, at + length): as decodeSnapshot reads it, the last one's string kept. */
export function topicAt(bytes: Uint8Array, at: number, length: number): string {
  const known = lastReadBytes;
  if (known.length === length) {
    let i = 0;
    while (i < length && bytes[at + i] === known[i]) i++;
    if (i === length) return lastRead;
  }
  const view = bytes.subarray(at, at + length);
  lastRead = fromUtf8.decode(view);
  lastReadBytes = view.slice();
  return lastRead;
}

export function encodeSnapshot(snapshot: Omit<PipelineSnapshot, 'version'>): Uint8Array {
  // Sized exactly, so the writer allocates once and hands its buffer over without a copy.
  let size = 20;
  for (const entry of snapshot.offsets) size += 14 + topicBytes(entry.topic).length;
  for (const stage of snapshot.stages) size += 8 + stage.state.length;
  const out = new ByteWriter(size);
  writeSnapshotHead(out, snapshot.configHash, snapshot.offsets, snapshot.stages.length);
  for (const stage of snapshot.stages) writeStageState(out, stage.kind, stage.version, stage.state);
  return out.finish();
}

/** encodeSnapshot's bytes up to the first stage state: appended to `out`, which may hold others before. */
export function writeSnapshotHead(out: ByteWriter, configHash: bigint, offsets: Iterable<AbsorbedOffset>, stages: number): void {
  out.u32(SNAPSHOT_MAGIC).u16(SNAPSHOT_VERSION).u16(stages).u64(configHash);
  const count = out.reserveU32();
  let n = 0;
  for (const entry of offsets) {
    const topic = topicBytes(entry.topic);
    out.u16(topic.length).bytes(topic).u32(entry.partition).f64(entry.offset);
    n++;
  }
  out.setU32(count, n);
}

/** One stage's entry of a snapshot, after writeSnapshotHead and the stages before it. */
export function writeStageState(out: ByteWriter, kind: number, version: number, state: Uint8Array): void {
  out.u8(kind).u8(version).u16(0).u32(state.length).bytes(state);
}

/** writeStageState of a state its kernel writes straight into `out`'s buffer (ByteWriter.append). */
export function appendStageState(out: ByteWriter, kind: number, version: number, source: { snapshotInto(target: Uint8Array, offset: number): number }): void {
  out.u8(kind).u8(version).u16(0);
  const length = out.reserveU32();
  out.setU32(length, out.append(source));
}

export function decodeSnapshot(bytes: Uint8Array): PipelineSnapshot {
  const input = new ByteReader(bytes);
  const magic = input.u32();
  if (magic !== SNAPSHOT_MAGIC) throw new SnapshotError('not a dspfn snapshot (bad magic)');
  const version = input.u16();
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(`snapshot format version ${version} is not supported (this dspfn reads ${SNAPSHOT_VERSION})`);
  }
  const stageCount = input.u16();
  const configHash = input.u64();
  const offsetCount = input.u32();
  const offsets: AbsorbedOffset[] = [];
  for (let i = 0; i < offsetCount; i++) {
    const topic = fromUtf8.decode(input.bytesView(input.u16()));
    offsets.push({ topic, partition: input.u32(), offset: input.f64() });
  }
  const stages: StageState[] = [];
  for (let i = 0; i < stageCount; i++) {
    const kind = input.u8();
    const stateVersion = input.u8();
    input.u16();
    if (descriptorOfKind(kind) === undefined) throw new SnapshotError(`snapshot holds unknown stage kind ${kind}`);
    stages.push({ kind, version: stateVersion, state: input.bytesView(input.u32()) });
  }
  input.expectEnd();
  return { version, configHash, offsets, stages };
}
