import type { DspBackend } from '../../dsp/backend.ts';
import type { Pipeline } from '../../dsp/pipeline.ts';
import { fencedOffset, type AbsorbedOffset } from '../../dsp/snapshot.ts';
import { SnapshotError, StateMismatchError } from '../../errors.ts';
import type { Logger } from '../../logger/logger.ts';
import { VERSION_TOPIC_PREFIX, type StateEntry, type StoredState } from '../../state/store.ts';
import { joinKeyValue, splitKeyValue } from '../../windows/key-value.ts';
import { KeyWindows } from '../../windows/key-windows.ts';
import { PartitionIndex } from '../../windows/partition-index.ts';
import type { WindowSpec } from '../../windows/spec.ts';
import type { PreparedFunction } from '../prepare.ts';
import { stateKeyOf } from '../steps/load-state.ts';

/**
 * Where a windowed function keeps its state: each key's value holds its pipeline AND its open
 * windows (one snapshot under one offset fence); beside them, per source partition, the window
 * index (`<function>!window-index:<topic>-<partition>`, fenced by the partition's last applied
 * offset), and the list of partitions with an index (`<function>!window-partitions`) that the idle
 * tick reads. "!" never occurs in a function name, so these never meet a key's `<function>:<key>`.
 */
export function indexKeyOf(functionName: string, topic: string, partition: number): string {
  return `${indexKeyPrefixOf(functionName)}${topic}-${partition}`;
}

/** What every window index key of the function starts with (`dspfn state list` scans for it). */
export function indexKeyPrefixOf(functionName: string): string {
  return `${functionName}!window-index:`;
}

export function partitionsKeyOf(functionName: string): string {
  return `${functionName}!window-partitions`;
}

/** A key of a windowed function as loaded: its pipeline, its windows, and the fence they were loaded with. */
export interface WindowedKey {
  pipeline: Pipeline;
  windows: KeyWindows;
  readonly expected: readonly AbsorbedOffset[] | null;
}

/** The key's stored value: its pipeline and its open windows (see joinKeyValue). */
export function keySnapshot(key: WindowedKey): Uint8Array {
  return joinKeyValue(key.pipeline.snapshot(), key.windows.snapshot());
}

/**
 * A key restored from its stored value (or new). Stored under another pipeline or window
 * configuration: an error, or with `onStateMismatch: 'reset'` a fresh key that keeps its fence.
 */
export function restoreKey<M>(key: string, entry: StoredState | undefined, fn: PreparedFunction<M>, spec: WindowSpec, backend: DspBackend, logger: Logger): WindowedKey {
  const pipeline = fn.definition.pipeline.create(backend);
  if (entry === undefined) return { pipeline, windows: new KeyWindows(spec), expected: null };
  if (entry.snapshot.length === 0) {
    // Reset by `dspfn state reset`: pipeline and windows start afresh, the fence still skips old records.
    for (const o of entry.offsets) pipeline.markAbsorbed(o.topic, o.partition, o.offset);
    return { pipeline, windows: new KeyWindows(spec), expected: entry.offsets };
  }
  try {
    const parts = splitKeyValue(entry.snapshot);
    pipeline.restore(parts.pipeline, key);
    return { pipeline, windows: KeyWindows.restore(spec, parts.windows, key), expected: entry.offsets };
  } catch (error) {
    if (!(error instanceof StateMismatchError) || fn.definition.onStateMismatch !== 'reset') throw error;
    logger.log('warn', 'state reset after a pipeline or window configuration change', { key, reason: error.message });
    const fresh = fn.definition.pipeline.create(backend);
    for (const o of entry.offsets) fresh.markAbsorbed(o.topic, o.partition, o.offset);
    return { pipeline: fresh, windows: new KeyWindows(spec), expected: entry.offsets };
  }
}

/**
 * The fence entry (`!tick`, partition 0) that counts the idle ticks that closed windows of a key or
 * a partition index. A batch's records move the fences of what it writes, a tick's closures move
 * none: so a tick raises this count in every value it writes, and a batch carries it as loaded.
 * Whichever of the two commits second then conflicts (a count covers only an equal count, see
 * VERSION_TOPIC_PREFIX) and is run again from what the first wrote, so no window closes twice.
 */
export const TICKS = { topic: `${VERSION_TOPIC_PREFIX}tick`, partition: 0 } as const;

/** The count of ticks in a fence (0: none yet). */
export function ticksOf(offsets: readonly AbsorbedOffset[]): number {
  return fencedOffset(offsets, TICKS.topic, TICKS.partition) ?? 0;
}

/** A tick closed windows of this key: its fence counts one more tick. */
export function markTicked(key: WindowedKey): void {
  key.pipeline.markAbsorbed(TICKS.topic, TICKS.partition, ticksOf(key.pipeline.offsets()) + 1);
}

/** The partition's index as loaded (or new), with the fence it was loaded with. */
export interface LoadedIndex {
  readonly index: PartitionIndex;
  readonly expected: readonly AbsorbedOffset[] | null;
  /** The partition's last applied offset after this batch. */
  offset: number;
  /** Ticks that closed windows of the partition (see TICKS): as loaded, one more after a tick. */
  ticks: number;
}

export function restoreIndex(spec: WindowSpec, topic: string, partition: number, entry: StoredState | undefined): LoadedIndex {
  if (entry === undefined) return { index: new PartitionIndex(spec, topic, partition), expected: null, offset: -1, ticks: 0 };
  return { index: PartitionIndex.restore(spec, entry.snapshot), expected: entry.offsets, offset: fencedOffset(entry.offsets, topic, partition) ?? -1, ticks: ticksOf(entry.offsets) };
}

/** The index's entry of a windowed commit: atomic with the keys' (see commitAll in process.ts). */
export function indexEntry(functionName: string, loaded: LoadedIndex): StateEntry {
  const { index } = loaded;
  const offsets = loaded.offset < 0 ? [] : [{ topic: index.topic, partition: index.partition, offset: loaded.offset }];
  if (loaded.ticks > 0) offsets.push({ ...TICKS, offset: loaded.ticks });
  return { key: indexKeyOf(functionName, index.topic, index.partition), snapshot: index.snapshot(), offsets, expected: loaded.expected, atomic: true };
}

/** A key's entry of a windowed commit: its fence is its pipeline's offsets, the tick count among them. */
export function keyEntry(functionName: string, key: string, state: WindowedKey): StateEntry {
  return { key: stateKeyOf(functionName, key), snapshot: keySnapshot(state), offsets: state.pipeline.offsets(), expected: state.expected, atomic: true };
}

const PARTITIONS_HEADER = '#dspfn-window-partitions 1\n';

/** The partitions with a window index: the fence lists each one (offset 0), so two first writers conflict rather than overwrite. */
export function readPartitions(entry: StoredState | undefined): Array<{ topic: string; partition: number }> {
  if (entry === undefined) return [];
  const text = new TextDecoder('latin1').decode(entry.snapshot);
  if (!text.startsWith(PARTITIONS_HEADER)) throw new SnapshotError('the window partition list is malformed');
  return text
    .slice(PARTITIONS_HEADER.length)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [topic, partition] = line.split('\t');
      return { topic: topic!, partition: Number(partition) };
    });
}

/** The list with the partitions added, as an entry conditional on the list as loaded. */
export function partitionsEntry(functionName: string, loaded: StoredState | undefined, added: ReadonlyArray<{ topic: string; partition: number }>): StateEntry {
  const all = [...readPartitions(loaded), ...added];
  const text = PARTITIONS_HEADER + all.map((p) => `${p.topic}\t${p.partition}\n`).join('');
  return {
    key: partitionsKeyOf(functionName),
    snapshot: new TextEncoder().encode(text),
    offsets: all.map((p) => ({ topic: p.topic, partition: p.partition, offset: 0 })),
    expected: loaded?.offsets ?? null,
  };
}
