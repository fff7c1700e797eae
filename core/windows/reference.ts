// A direct computation of window results, for tests: no accumulators, no snapshots, no heap.
// Each window's frames are collected and its aggregates computed from them in float64 (two-pass
// variance), so the engine's running statistics, merges and serialisation are checked against it.
import type { ChannelAggregates } from './accumulator.ts';
import type { ClosedWindow, WindowRecord } from './engine.ts';
import type { WindowSpec } from './spec.ts';

interface Frame {
  readonly time: number;
  readonly offset: number;
  readonly frame: number;
  readonly values: readonly number[];
}

export interface ReferenceResult {
  closed: ClosedWindow[];
  /** Offsets of late records. */
  late: number[];
}

function aggregatesOf(frames: readonly Frame[], spec: WindowSpec): ChannelAggregates[] {
  const byArrival = (a: Frame, b: Frame) => a.time - b.time || a.offset - b.offset || a.frame - b.frame;
  const ordered = [...frames].sort(byArrival);
  const out: ChannelAggregates[] = [];
  for (let c = 0; c < spec.channels; c++) {
    const xs = frames.map((f) => f.values[c]!);
    const n = xs.length;
    const sum = compensatedSum(xs);
    const mean = sum / n;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    const all: Required<ChannelAggregates> = {
      count: n,
      sum,
      mean,
      min: Math.min(...xs),
      max: Math.max(...xs),
      stddev: Math.sqrt(variance),
      rms: Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / n),
      first: ordered[0]!.values[c]!,
      last: ordered[n - 1]!.values[c]!,
    };
    const picked: ChannelAggregates = {};
    for (const a of spec.aggregates) picked[a] = all[a];
    out.push(picked);
  }
  return out;
}

/** Compensated summation, in arrival order. */
function compensatedSum(xs: readonly number[]): number {
  let sum = 0;
  let comp = 0;
  for (const x of xs) {
    const t = sum + x;
    comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + comp;
}

function framesOf(record: WindowRecord, channels: number): Frame[] {
  const count = record.values.length / channels;
  return Array.from({ length: count }, (_, f) => ({
    time: record.time + f * (record.interval ?? 0),
    offset: record.offset,
    frame: f,
    values: Array.from({ length: channels }, (_, c) => record.values[f * channels + c]!),
  }));
}

/** Tumbling and hopping windows, declaratively: a frame counts in a window iff the window was open when its record came. */
function alignedReference(spec: WindowSpec, topic: string, partition: number, records: readonly WindowRecord[]): ReferenceResult {
  const before: number[] = [];
  const after: number[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    before.push(max - spec.allowedLateness);
    for (const f of framesOf(record, spec.channels)) max = Math.max(max, f.time);
    after.push(max - spec.allowedLateness);
  }
  const windows = new Map<string, { key: string; start: number; end: number; frames: Frame[] }>();
  const late: number[] = [];
  records.forEach((record, r) => {
    let accepted = 0;
    for (const frame of framesOf(record, spec.channels)) {
      for (let start = Math.floor(frame.time / spec.advance) * spec.advance; start > frame.time - spec.size; start -= spec.advance) {
        if (start + spec.size <= before[r]!) continue;
        const id = `${record.key}\u0000${start}`;
        let window = windows.get(id);
        if (!window) windows.set(id, (window = { key: record.key, start, end: start + spec.size, frames: [] }));
        window.frames.push(frame);
        accepted++;
      }
    }
    if (accepted === 0) late.push(record.offset);
  });
  const closed: Array<ClosedWindow & { at: number }> = [];
  for (const window of windows.values()) {
    const at = after.findIndex((wm) => wm >= window.end);
    if (at < 0) continue;
    closed.push({
      at,
      key: window.key,
      topic,
      partition,
      start: window.start,
      end: window.end,
      count: window.frames.length,
      channels: aggregatesOf(window.frames, spec),
      closedBy: { offset: records[at]!.offset },
    });
  }
  closed.sort((a, b) => a.at - b.at || a.end - b.end || a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { closed: closed.map(({ at: _, ...w }) => w), late };
}

/** Session windows, simulated naively: sessions as lists of frames, merged by rebuilding. */
function sessionReference(spec: WindowSpec, topic: string, partition: number, records: readonly WindowRecord[]): ReferenceResult {
  let sessions: Array<{ key: string; start: number; end: number; frames: Frame[] }> = [];
  const closed: ClosedWindow[] = [];
  const late: number[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    const watermark = max - spec.allowedLateness;
    let accepted = 0;
    for (const frame of framesOf(record, spec.channels)) {
      const touching = sessions.filter((s) => s.key === record.key && s.start <= frame.time + spec.gap && frame.time <= s.end);
      if (touching.length === 0 && frame.time + spec.gap <= watermark) continue;
      accepted++;
      sessions = sessions.filter((s) => !touching.includes(s));
      const frames = [...touching.flatMap((s) => s.frames), frame];
      sessions.push({
        key: record.key,
        start: Math.min(frame.time, ...touching.map((s) => s.start)),
        end: Math.max(frame.time + spec.gap, ...touching.map((s) => s.end)),
        frames,
      });
    }
    if (accepted === 0) late.push(record.offset);
    for (const f of framesOf(record, spec.channels)) max = Math.max(max, f.time);
    const next = max - spec.allowedLateness;
    if (next > watermark) {
      const closing = sessions.filter((s) => s.end <= next).sort((a, b) => a.end - b.end || a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      sessions = sessions.filter((s) => s.end > next);
      for (const s of closing) {
        closed.push({ key: s.key, topic, partition, start: s.start, end: s.end, count: s.frames.length, channels: aggregatesOf(s.frames, spec), closedBy: { offset: record.offset } });
      }
    }
  }
  return { closed, late };
}

/** Windows closed and records late, for one partition's records in offset order. */
export function referenceWindows(spec: WindowSpec, topic: string, partition: number, records: readonly WindowRecord[]): ReferenceResult {
  return spec.type === 'session' ? sessionReference(spec, topic, partition, records) : alignedReference(spec, topic, partition, records);
}
