import { fencedOffset } from '../dsp/snapshot.ts';
import { ConfigError, describeError } from '../errors.ts';
import { isWindowedKeyValue, splitKeyValue } from '../windows/key-value.ts';
import { readWindowSection } from '../windows/key-windows.ts';
import { readIndexHead } from '../windows/partition-index.ts';
import type { StoredState } from './store.ts';

/**
 * One source partition of a windowed function as `dspfn state list` shows it, from its window
 * index (`<function>!window-index:<topic>-<partition>`, see handler/windowed/state.ts).
 */
export interface WindowIndexListing {
  topic: string;
  partition: number;
  /** Keys the index names as having open windows on the partition. */
  openKeys: number;
  /** Open windows on the partition, counted in the listed keys' own state. */
  openWindows: number;
  /** ISO times; absent before the partition's first record. */
  maxEventTime?: string;
  /** Everything up to here was closed by an idle tick; absent when no tick closed anything. */
  closedThrough?: string;
  /** max(maxEventTime − allowed lateness, closedThrough): windows ending at or before it are closed. */
  watermark?: string;
  /** Wall-clock time of the last batch with records for the partition. */
  lastActivity?: string;
  /** ISO time of the index's last commit, when stored. */
  committedAt?: string;
  /** The partition's last applied offset (the index's fence). */
  offset?: number;
  /** FNV-1a 64 of the window configuration the index was written under (16 hex digits). */
  configHash: string;
}

const iso = (time: number): string | undefined => (Number.isFinite(time) ? new Date(time).toISOString() : undefined);

/** Open windows per `topic/partition` across the keys' stored values (values without windows, reset keys included, count none). */
export function openWindowsByPartition(values: Iterable<StoredState>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const stored of values) {
    if (!isWindowedKeyValue(stored.snapshot)) continue;
    let section;
    try {
      section = readWindowSection(splitKeyValue(stored.snapshot).windows);
    } catch {
      continue; // `dspfn state show <key>` says what is wrong with it; a listing still lists the rest
    }
    for (const { topic, partition, windows } of section.partitions) {
      counts.set(`${topic}/${partition}`, (counts.get(`${topic}/${partition}`) ?? 0) + windows.length);
    }
  }
  return counts;
}

export function windowIndexListing(indexKey: string, stored: StoredState, openWindows: ReadonlyMap<string, number>, allowedLateness: number): WindowIndexListing {
  let head;
  try {
    head = readIndexHead(stored.snapshot);
  } catch (error) {
    throw new ConfigError(`window index ${indexKey} holds a value this dspfn cannot decode: ${describeError(error)}`);
  }
  const watermark = Math.max(head.maxEventTime - allowedLateness, head.closedThrough);
  const fenced = fencedOffset(stored.offsets, head.topic, head.partition);
  const times = { maxEventTime: iso(head.maxEventTime), closedThrough: iso(head.closedThrough), watermark: iso(watermark), lastActivity: iso(head.lastActivity) };
  const committedAt = stored.committedAt === undefined ? undefined : iso(stored.committedAt);
  return {
    topic: head.topic,
    partition: head.partition,
    openKeys: head.openKeys,
    openWindows: openWindows.get(`${head.topic}/${head.partition}`) ?? 0,
    ...(times.maxEventTime !== undefined ? { maxEventTime: times.maxEventTime } : {}),
    ...(times.closedThrough !== undefined ? { closedThrough: times.closedThrough } : {}),
    ...(times.watermark !== undefined ? { watermark: times.watermark } : {}),
    ...(times.lastActivity !== undefined ? { lastActivity: times.lastActivity } : {}),
    ...(committedAt !== undefined ? { committedAt } : {}),
    ...(fenced !== undefined ? { offset: fenced } : {}),
    configHash: head.configHash,
  };
}

/** `in/0  watermark …  2 open window(s) in 1 key(s)  committed …` */
export function formatWindowIndex(w: WindowIndexListing): string {
  return [
    `  ${w.topic}/${w.partition}`,
    `watermark ${w.watermark ?? '(no record yet)'}`,
    `${w.openWindows} open window(s) in ${w.openKeys} key(s)`,
    `committed ${w.committedAt ?? '(commit time not stored)'}`,
    ...(w.offset !== undefined ? [`offset ${w.offset}`] : []),
  ].join('  ');
}
