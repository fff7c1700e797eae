/**
 * Running statistics of one window, in a Float64Array so a window is one allocation and its
 * snapshot a straight copy. Layout: a header, then one block per channel:
 *   header:  count · firstTime · firstOffset · firstFrame · lastTime · lastOffset · lastFrame
 *   channel: sum · sum compensation · mean · M2 · min · max · first · last
 * Sums are Neumaier-compensated; mean and M2 follow Welford (merged with Chan et al.'s formula),
 * so the standard deviation never comes from E[x²] − E[x]². `first`/`last` are the values at the
 * smallest/largest event time; equal times go by arrival (offset, then frame in the record).
 */
export const HEADER = 7;
export const PER_CHANNEL = 8;

const COUNT = 0;
const FIRST_T = 1;
const FIRST_OFFSET = 2;
const FIRST_FRAME = 3;
const LAST_T = 4;
const LAST_OFFSET = 5;
const LAST_FRAME = 6;

const SUM = 0;
const COMP = 1;
const MEAN = 2;
const M2 = 3;
const MIN = 4;
const MAX = 5;
const FIRST = 6;
const LAST = 7;

export const AGGREGATES = ['count', 'sum', 'mean', 'min', 'max', 'stddev', 'rms', 'first', 'last'] as const;
export type Aggregate = (typeof AGGREGATES)[number];
export type ChannelAggregates = Partial<Record<Aggregate, number>>;

export function accumulatorLength(channels: number): number {
  return HEADER + PER_CHANNEL * channels;
}

export function newAccumulator(channels: number): Float64Array {
  return new Float64Array(accumulatorLength(channels));
}

function before(time: number, offset: number, frame: number, otherTime: number, otherOffset: number, otherFrame: number): boolean {
  return time < otherTime || (time === otherTime && (offset < otherOffset || (offset === otherOffset && frame < otherFrame)));
}

function neumaier(acc: Float64Array, at: number, x: number): void {
  const sum = acc[at + SUM]!;
  const t = sum + x;
  acc[at + COMP]! += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
  acc[at + SUM] = t;
}

/** Adds one frame (`values[from … from + channels)`) observed at `time`, arriving at (offset, frame). */
export function addFrame(acc: Float64Array, channels: number, values: ArrayLike<number>, from: number, time: number, offset: number, frame: number): void {
  const n = acc[COUNT]! + 1;
  const empty = n === 1;
  const isFirst = empty || before(time, offset, frame, acc[FIRST_T]!, acc[FIRST_OFFSET]!, acc[FIRST_FRAME]!);
  const isLast = empty || !before(time, offset, frame, acc[LAST_T]!, acc[LAST_OFFSET]!, acc[LAST_FRAME]!);
  acc[COUNT] = n;
  if (isFirst) {
    acc[FIRST_T] = time;
    acc[FIRST_OFFSET] = offset;
    acc[FIRST_FRAME] = frame;
  }
  if (isLast) {
    acc[LAST_T] = time;
    acc[LAST_OFFSET] = offset;
    acc[LAST_FRAME] = frame;
  }
  for (let c = 0; c < channels; c++) {
    const at = HEADER + c * PER_CHANNEL;
    const x = values[from + c]!;
    neumaier(acc, at, x);
    const delta = x - acc[at + MEAN]!;
    acc[at + MEAN]! += delta / n;
    acc[at + M2]! += delta * (x - acc[at + MEAN]!);
    if (empty || x < acc[at + MIN]!) acc[at + MIN] = x;
    if (empty || x > acc[at + MAX]!) acc[at + MAX] = x;
    if (isFirst) acc[at + FIRST] = x;
    if (isLast) acc[at + LAST] = x;
  }
}

/** `into` becomes the statistics of both windows' frames (session windows merging). */
export function mergeInto(into: Float64Array, from: Float64Array, channels: number): void {
  const na = into[COUNT]!;
  const nb = from[COUNT]!;
  if (nb === 0) return;
  if (na === 0) {
    into.set(from);
    return;
  }
  const n = na + nb;
  const firstFromOther = before(from[FIRST_T]!, from[FIRST_OFFSET]!, from[FIRST_FRAME]!, into[FIRST_T]!, into[FIRST_OFFSET]!, into[FIRST_FRAME]!);
  const lastFromOther = !before(from[LAST_T]!, from[LAST_OFFSET]!, from[LAST_FRAME]!, into[LAST_T]!, into[LAST_OFFSET]!, into[LAST_FRAME]!);
  into[COUNT] = n;
  if (firstFromOther) {
    into[FIRST_T] = from[FIRST_T]!;
    into[FIRST_OFFSET] = from[FIRST_OFFSET]!;
    into[FIRST_FRAME] = from[FIRST_FRAME]!;
  }
  if (lastFromOther) {
    into[LAST_T] = from[LAST_T]!;
    into[LAST_OFFSET] = from[LAST_OFFSET]!;
    into[LAST_FRAME] = from[LAST_FRAME]!;
  }
  for (let c = 0; c < channels; c++) {
    const at = HEADER + c * PER_CHANNEL;
    neumaier(into, at, from[at + SUM]!);
    neumaier(into, at, from[at + COMP]!);
    const delta = from[at + MEAN]! - into[at + MEAN]!;
    into[at + MEAN]! += (delta * nb) / n;
    into[at + M2]! += from[at + M2]! + (delta * delta * na * nb) / n;
    if (from[at + MIN]! < into[at + MIN]!) into[at + MIN] = from[at + MIN]!;
    if (from[at + MAX]! > into[at + MAX]!) into[at + MAX] = from[at + MAX]!;
    if (firstFromOther) into[at + FIRST] = from[at + FIRST]!;
    if (lastFromOther) into[at + LAST] = from[at + LAST]!;
  }
}

export function countOf(acc: Float64Array): number {
  return acc[COUNT]!;
}

/** The requested aggregates of each channel (standard deviation: population, as the stddev stage). */
export function results(acc: Float64Array, channels: number, aggregates: readonly Aggregate[]): ChannelAggregates[] {
  const n = acc[COUNT]!;
  const out: ChannelAggregates[] = [];
  for (let c = 0; c < channels; c++) {
    const at = HEADER + c * PER_CHANNEL;
    const mean = acc[at + MEAN]!;
    const variance = Math.max(0, acc[at + M2]! / n);
    const channel: ChannelAggregates = {};
    for (const aggregate of aggregates) {
      switch (aggregate) {
        case 'count':
          channel.count = n;
          break;
        case 'sum':
          channel.sum = acc[at + SUM]! + acc[at + COMP]!;
          break;
        case 'mean':
          channel.mean = mean;
          break;
        case 'min':
          channel.min = acc[at + MIN]!;
          break;
        case 'max':
          channel.max = acc[at + MAX]!;
          break;
        case 'stddev':
          channel.stddev = Math.sqrt(variance);
          break;
        case 'rms':
          channel.rms = Math.sqrt(mean * mean + variance);
          break;
        case 'first':
          channel.first = acc[at + FIRST]!;
          break;
        case 'last':
          channel.last = acc[at + LAST]!;
          break;
      }
    }
    out.push(channel);
  }
  return out;
}
