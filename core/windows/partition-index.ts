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
   * Partition index, format version 1: ASCII text, so the state store can pick the keys a batch
   * closes without decoding anything but this (a Redis script does, in the load's round trip):
   *   "#dspfn-index 1 " hash(16 hex) " " partition " " maxEventTime " " closedThrough " " lastActivity " " topic "\n"
   *   per open key: earliest open window end "\t" key as hex of its UTF-8 "\n"
   * Times are decimal numbers, -Infinity written as -1e999 (which both JavaScript and Lua read back).
   */
  snapshot(): Uint8Array {
    const lines = [`${INDEX_HEADER}${this.spec.configHash.toString(16).padStart(16, '0')} ${this.partition} ${num(this.maxEventTime)} ${num(this.closedThrough)} ${num(this.lastActivity)} ${this.topic}\n`];
    for (const [key, end] of this.openKeys) lines.push(`${num(end)}\t${Buffer.from(key, 'utf8').toString('hex')}\n`);
    return utf8.encode(lines.join(''));
  }

  static restore(spec: WindowSpec, bytes: Uint8Array): PartitionIndex {
    const text = fromLatin1.decode(bytes);
    if (!text.startsWith(INDEX_HEADER)) throw new SnapshotError('not a dspfn partition window index (bad magic)');
    const lines = text.split('\n');
    if (lines.pop() !== '') throw new SnapshotError('partition window index is truncated');
    const head = /^(\S+) (\d+) (\S+) (\S+) (\S+) ([A-Za-z0-9._-]+)$/.exec(lines[0]!.slice(INDEX_HEADER.length));
    if (head === null) throw new SnapshotError('partition window index has a malformed header');
    const [, hash, partition, max, closed, last, topic] = head as unknown as [string, string, string, string, string, string, string];
    if (hash !== spec.configHash.toString(16).padStart(16, '0')) {
      throw new StateMismatchError(`the window index of ${topic}-${partition} was written with another window configuration; reset its state to start afresh`);
    }
    const index = new PartitionIndex(spec, topic, Number(partition));
    index.maxEventTime = time(max);
    index.closedThrough = time(closed);
    index.lastActivity = time(last);
    for (let i = 1; i < lines.length; i++) {
      const line = /^(\S+)\t((?:[0-9a-f]{2})*)$/.exec(lines[i]!);
      if (line === null) throw new SnapshotError(`partition window index line ${i + 1} is malformed`);
      index.openKeys.set(Buffer.from(line[2]!, 'hex').toString('utf8'), time(line[1]!));
    }
    return index;
  }
}

/** What a stored index says about its partition, read without the function's window configuration. */
export interface IndexHead {
  /** FNV-1a 64 of the window configuration it was written under (16 hex digits). */
  configHash: string;
  topic: string;
  partition: number;
  maxEventTime: number;
  closedThrough: number;
  lastActivity: number;
  /** Keys with open windows on the partition. */
  openKeys: number;
}

/** The header line and open-key count of a stored index (`dspfn state list`), checked like restore does. */
export function readIndexHead(bytes: Uint8Array): IndexHead {
  const text = fromLatin1.decode(bytes);
  if (!text.startsWith(INDEX_HEADER)) throw new SnapshotError('not a dspfn partition window index (bad magic)');
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new SnapshotError('partition window index is truncated');
  const head = /^([0-9a-f]{16}) (\d+) (\S+) (\S+) (\S+) ([A-Za-z0-9._-]+)$/.exec(lines[0]!.slice(INDEX_HEADER.length));
  if (head === null) throw new SnapshotError('partition window index has a malformed header');
  const [, configHash, partition, max, closed, last, topic] = head as unknown as [string, string, string, string, string, string, string];
  return { configHash, topic, partition: Number(partition), maxEventTime: time(max), closedThrough: time(closed), lastActivity: time(last), openKeys: lines.length - 1 };
}

/** What every index starts with (its version included): a layout stores such text as it is. */
export const INDEX_HEADER = '#dspfn-index 1 ';

function num(value: number): string {
  return value === Number.NEGATIVE_INFINITY ? '-1e999' : String(value);
}

function time(text: string): number {
  const value = Number(text);
  if (Number.isNaN(value) || value === Number.POSITIVE_INFINITY || text === '') throw new SnapshotError('partition window index holds a malformed time');
  return value;
}

/**
 * The keys of a stored index (its text, as `snapshot` writes it) whose earliest open window ends at
 * or before the watermark a batch reaching `maxEventTime` moves the partition to. The stores run
 * this (Redis: the same in Lua, window-load-script.ts) to load them in the batch's one round trip.
 */
export function closingKeys(text: string, maxEventTime: number, allowedLateness: number): string[] {
  const head = text.slice(0, text.indexOf('\n')).split(' ');
  const watermark = Math.max(Math.max(Number(head[4]), maxEventTime) - allowedLateness, Number(head[5]));
  const keys: string[] = [];
  const line = /\n([^\t\n]+)\t([0-9a-f]*)(?=\n)/g;
  for (let match = line.exec(text); match !== null; match = line.exec(text)) {
    if (Number(match[1]) <= watermark) keys.push(Buffer.from(match[2]!, 'hex').toString('utf8'));
  }
  return keys;
}

export const INDEX_VERSION = 1;
const utf8 = new TextEncoder();
const fromLatin1 = new TextDecoder('latin1');
