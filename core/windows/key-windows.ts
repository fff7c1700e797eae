import { ByteReader, ByteWriter } from '../dsp/bytes.ts';
import { SnapshotError, StateMismatchError } from '../errors.ts';
import { accumulatorLength, addFrame, mergeInto, newAccumulator } from './accumulator.ts';
import type { WindowSpec } from './spec.ts';

/** A window still accepting frames: [start, end) in epoch milliseconds and its statistics. */
export interface OpenWindow {
  start: number;
  end: number;
  readonly acc: Float64Array;
}

interface PartitionWindows {
  readonly topic: string;
  readonly partition: number;
  /** Sorted by start. */
  readonly windows: OpenWindow[];
}

export type AddResult = { readonly accepted: true } | { readonly accepted: false; readonly start: number; readonly end: number };

/**
 * The open windows of one key, per source partition (each partition has its own watermark, so a
 * key fed by two partitions has two sets of windows). Lives in the key's snapshot, beside its
 * pipeline state, under the same offset fence.
 */
export class KeyWindows {
  private readonly partitions = new Map<string, PartitionWindows>();

  constructor(readonly spec: WindowSpec) {}

  private windowsOf(topic: string, partition: number, create: boolean): OpenWindow[] | undefined {
    const id = `${topic}-${partition}`;
    let entry = this.partitions.get(id);
    if (entry === undefined && create) this.partitions.set(id, (entry = { topic, partition, windows: [] }));
    return entry?.windows;
  }

  /**
   * Adds one frame (`values[from … from + channels)`) at event `time`. Windows whose end the
   * watermark has reached are closed: a frame that belongs to none that is open is refused, and
   * the result names the latest closed window it belonged to.
   */
  add(topic: string, partition: number, time: number, values: ArrayLike<number>, from: number, offset: number, frame: number, watermark: number): AddResult {
    return this.spec.type === 'session'
      ? this.addToSession(topic, partition, time, values, from, offset, frame, watermark)
      : this.addToAligned(topic, partition, time, values, from, offset, frame, watermark);
  }

  private addToAligned(topic: string, partition: number, time: number, values: ArrayLike<number>, from: number, offset: number, frame: number, watermark: number): AddResult {
    const { size, advance, channels } = this.spec;
    const last = Math.floor(time / advance) * advance;
    if (last + size <= watermark) return { accepted: false, start: last, end: last + size };
    const windows = this.windowsOf(topic, partition, true)!;
    for (let start = last; start > time - size; start -= advance) {
      const end = start + size;
      if (end <= watermark) break; // earlier starts end earlier: closed too
      const at = lowerBound(windows, start);
      if (windows[at]?.start !== start) windows.splice(at, 0, { start, end, acc: newAccumulator(channels) });
      addFrame(windows[at]!.acc, channels, values, from, time, offset, frame);
    }
    return { accepted: true };
  }

  private addToSession(topic: string, partition: number, time: number, values: ArrayLike<number>, from: number, offset: number, frame: number, watermark: number): AddResult {
    const { gap, channels } = this.spec;
    const windows = this.windowsOf(topic, partition, false) ?? [];
    // Sessions that touch [time, time + gap) merge with it (boundaries included, as in Flink).
    let first = -1;
    let count = 0;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (w.start <= time + gap && time <= w.end) {
        if (first < 0) first = i;
        count++;
      }
    }
    if (count === 0) {
      if (time + gap <= watermark) return { accepted: false, start: time, end: time + gap };
      const own = this.windowsOf(topic, partition, true)!;
      const window = { start: time, end: time + gap, acc: newAccumulator(channels) };
      addFrame(window.acc, channels, values, from, time, offset, frame);
      own.splice(lowerBound(own, time), 0, window);
      return { accepted: true };
    }
    // Overlapping sessions are consecutive in start order: merge them into the first.
    const into = windows[first]!;
    for (let i = first + 1; i < first + count; i++) {
      const other = windows[i]!;
      mergeInto(into.acc, other.acc, channels);
      into.end = Math.max(into.end, other.end);
    }
    windows.splice(first + 1, count - 1);
    addFrame(into.acc, channels, values, from, time, offset, frame);
    into.start = Math.min(into.start, time);
    into.end = Math.max(into.end, time + gap);
    return { accepted: true };
  }

  /** Removes and returns the windows of a partition that the watermark closes (end ≤ watermark), by end then start. */
  closeUpTo(topic: string, partition: number, watermark: number): OpenWindow[] {
    const windows = this.windowsOf(topic, partition, false);
    if (windows === undefined) return [];
    const closed: OpenWindow[] = [];
    let kept = 0;
    for (const window of windows) {
      if (window.end <= watermark) closed.push(window);
      else windows[kept++] = window;
    }
    windows.length = kept;
    if (kept === 0) this.partitions.delete(`${topic}-${partition}`);
    return closed.sort((a, b) => a.end - b.end || a.start - b.start);
  }

  /** The earliest end among a partition's open windows; Infinity when it has none. */
  minEnd(topic: string, partition: number): number {
    const windows = this.windowsOf(topic, partition, false);
    let min = Number.POSITIVE_INFINITY;
    for (const window of windows ?? []) if (window.end < min) min = window.end;
    return min;
  }

  /** Open windows per partition, for inspection and tests. */
  open(): Array<{ topic: string; partition: number; windows: readonly OpenWindow[] }> {
    return [...this.partitions.values()].map(({ topic, partition, windows }) => ({ topic, partition, windows }));
  }

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  /**
   * Window state section, format version 1, little-endian:
   *   "DSPW" · u16 version · u16 channels · u64 window config hash · u32 partition count
   *   per partition: u16 topic length · topic (UTF-8) · u32 partition · u32 window count
   *   per window: f64 start · f64 end · f64 × (7 + 8 · channels) statistics (see accumulator.ts)
   */
  snapshot(): Uint8Array {
    const out = new ByteWriter();
    out.u32(WINDOWS_MAGIC).u16(WINDOWS_VERSION).u16(this.spec.channels).u64(this.spec.configHash).u32(this.partitions.size);
    for (const { topic, partition, windows } of this.partitions.values()) {
      const name = utf8.encode(topic);
      out.u16(name.length).bytes(name).u32(partition).u32(windows.length);
      for (const window of windows) {
        out.f64(window.start).f64(window.end);
        for (const value of window.acc) out.f64(value);
      }
    }
    return out.finish();
  }

  static restore(spec: WindowSpec, bytes: Uint8Array, key?: string): KeyWindows {
    const section = readWindowSection(bytes);
    if (section.configHash !== spec.configHash || section.channels !== spec.channels) {
      throw new StateMismatchError(
        `stored window state${key === undefined ? '' : ` for key "${key}"`} was written with another window type, size or channel count ` +
          `(stored hash ${section.configHash.toString(16)}, current ${spec.configHash.toString(16)}); set onStateMismatch: "reset" to start such keys afresh`,
        key === undefined ? {} : { key },
      );
    }
    const restored = new KeyWindows(spec);
    for (const { topic, partition, windows } of section.partitions) restored.windowsOf(topic, partition, true)!.push(...windows);
    return restored;
  }
}

/** A window state section as stored, read without a spec (`dspfn state show` reads it so). */
export interface WindowSection {
  channels: number;
  configHash: bigint;
  partitions: Array<{ topic: string; partition: number; windows: OpenWindow[] }>;
}

export function readWindowSection(bytes: Uint8Array): WindowSection {
  const input = new ByteReader(bytes, 'window state');
  if (input.u32() !== WINDOWS_MAGIC) throw new SnapshotError('not a dspfn window state section (bad magic)');
  const version = input.u16();
  if (version !== WINDOWS_VERSION) throw new SnapshotError(`window state version ${version} is not supported (this dspfn reads ${WINDOWS_VERSION})`);
  const channels = input.u16();
  const configHash = input.u64();
  const length = accumulatorLength(channels);
  const section: WindowSection = { channels, configHash, partitions: [] };
  const count = input.u32();
  for (let p = 0; p < count; p++) {
    const topic = fromUtf8.decode(input.bytesView(input.u16()));
    const partition = input.u32();
    const n = input.u32();
    if (n > input.remaining / (16 + 8 * length)) throw new SnapshotError(`window state is truncated: ${n} windows do not fit`);
    const windows: OpenWindow[] = [];
    for (let w = 0; w < n; w++) {
      const start = input.f64();
      const end = input.f64();
      const acc = new Float64Array(length);
      for (let i = 0; i < length; i++) acc[i] = input.f64();
      if (!(end > start) || (windows.length > 0 && start < windows[windows.length - 1]!.start)) throw new SnapshotError('window state holds windows out of order');
      windows.push({ start, end, acc });
    }
    section.partitions.push({ topic, partition, windows });
  }
  input.expectEnd();
  return section;
}

export const WINDOWS_MAGIC = 0x57505344; // "DSPW" read as little-endian u32
export const WINDOWS_VERSION = 1;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** First index whose start is ≥ `start`. */
function lowerBound(windows: readonly OpenWindow[], start: number): number {
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (windows[mid]!.start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
