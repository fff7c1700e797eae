import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { decodeSnapshot } from '../dsp/snapshot.ts';
import { descriptorOfKind } from '../dsp/stages/catalogue.ts';
import { ConfigError, describeError } from '../errors.ts';
import { zodReason } from '../validation.ts';
import { AGGREGATES, countOf, results, type ChannelAggregates } from '../windows/accumulator.ts';
import { isWindowedKeyValue, splitKeyValue } from '../windows/key-value.ts';
import { readWindowSection, type WindowSection } from '../windows/key-windows.ts';
import { encodeNewFence, encodeValue } from './redis-layout.ts';
import type { StoredState } from './store.ts';

/** One key as `dspfn state list` shows it. */
export interface KeyListing {
  key: string;
  /** ISO time of the last commit, when the stored value says (values written before dspfn 0.2 do not). */
  committedAt?: string;
  fence: AbsorbedOffset[];
  /** Snapshot bytes; 0 for a key reset by `dspfn state reset`. */
  bytes: number;
}

export interface StageSummary {
  index: number;
  stage: string;
  /** Layout version of the stage's state. */
  stateVersion: number;
  bytes: number;
  /** First 16 hex digits of the state's SHA-256: equal states, equal digests. */
  sha256: string;
}

/** One open window of a windowed function's key. */
export interface WindowDetails {
  /** The source partition whose watermark closes it. */
  topic: string;
  partition: number;
  /** [start, end) as ISO times. */
  start: string;
  end: string;
  /** Frames in it so far. */
  count: number;
  /** Every aggregate dspfn keeps, per channel (the function emits those it asks for). */
  channels: ChannelAggregates[];
}

/** `dspfn state show`: the decoded snapshot of one key. */
export interface KeyDetails extends KeyListing {
  /** A reset key: no snapshot, its next batch starts afresh behind the fence. */
  reset: boolean;
  /** FNV-1a 64 of the pipeline configuration the snapshot was taken with (16 hex digits). */
  configHash?: string;
  stages?: StageSummary[];
  /** A windowed function's key: its open windows and the window configuration they were kept under. */
  windows?: { configHash: string; channels: number; open: WindowDetails[] };
}

export function listing(key: string, stored: StoredState): KeyListing {
  return {
    key,
    ...(stored.committedAt !== undefined ? { committedAt: new Date(stored.committedAt).toISOString() } : {}),
    fence: stored.offsets.map((o) => ({ ...o })),
    bytes: stored.snapshot.byteLength,
  };
}

export function details(key: string, stored: StoredState): KeyDetails {
  const base = { ...listing(key, stored), reset: stored.snapshot.byteLength === 0 };
  if (base.reset) return base;
  const decoded = (() => {
    try {
      if (!isWindowedKeyValue(stored.snapshot)) return { snapshot: decodeSnapshot(stored.snapshot) };
      const parts = splitKeyValue(stored.snapshot);
      return { snapshot: decodeSnapshot(parts.pipeline), windows: readWindowSection(parts.windows) };
    } catch (error) {
      throw new ConfigError(`state key ${key} holds a snapshot this dspfn cannot decode: ${describeError(error)}`);
    }
  })();
  const { snapshot, windows } = decoded;
  return {
    ...base,
    configHash: snapshot.configHash.toString(16).padStart(16, '0'),
    stages: snapshot.stages.map((stage, index) => ({
      index,
      stage: descriptorOfKind(stage.kind)?.name ?? `kind ${stage.kind}`,
      stateVersion: stage.version,
      bytes: stage.state.byteLength,
      sha256: createHash('sha256').update(stage.state).digest('hex').slice(0, 16),
    })),
    ...(windows ? { windows: windowDetails(windows) } : {}),
  };
}

function windowDetails(section: WindowSection): NonNullable<KeyDetails['windows']> {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    configHash: section.configHash.toString(16).padStart(16, '0'),
    channels: section.channels,
    open: section.partitions.flatMap(({ topic, partition, windows }) =>
      windows.map((w) => ({ topic, partition, start: iso(w.start), end: iso(w.end), count: countOf(w.acc), channels: results(w.acc, section.channels, AGGREGATES) })),
    ),
  };
}

/** `topic/partition@offset, …` */
export function formatFence(fence: readonly AbsorbedOffset[]): string {
  return fence.length === 0 ? '-' : fence.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(', ');
}

export const EXPORT_FORMAT = 'dspfn-state';

const offsetSchema = z.strictObject({ topic: z.string().min(1), partition: z.number().int().min(0), offset: z.number().int().min(0) });

const exportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  function: z.string().min(1),
  exportedAt: z.string(),
  keys: z.array(
    z.strictObject({
      key: z.string().min(1),
      committedAt: z.number().int().min(0).optional(),
      fence: z.array(offsetSchema),
      snapshot: z.base64(),
    }),
  ),
});

/** The file `dspfn state export` writes and `import` reads: JSON, snapshots in base64. */
export type StateExport = z.output<typeof exportSchema>;

export function exportFile(functionName: string, entries: ReadonlyArray<[key: string, stored: StoredState]>, now: Date = new Date()): StateExport {
  return {
    format: EXPORT_FORMAT,
    version: 1,
    function: functionName,
    exportedAt: now.toISOString(),
    keys: entries.map(([key, stored]) => ({
      key,
      ...(stored.committedAt !== undefined ? { committedAt: stored.committedAt } : {}),
      fence: stored.offsets.map((o) => ({ ...o })),
      snapshot: Buffer.from(stored.snapshot).toString('base64'),
    })),
  };
}

export function parseExport(text: string, file: string): StateExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not JSON (expected a file written by dspfn state export)`);
  }
  const result = exportSchema.safeParse(json);
  if (!result.success) throw new ConfigError(`${file} is not a dspfn state export: ${zodReason(result.error)}`);
  return result.data;
}

/** The stored values of an export, for `functionName` (which may differ from the one exported). */
export function importValues(file: StateExport, functionName: string): Array<{ key: string; value: string }> {
  return file.keys.map((entry) => {
    const stateKey = `${functionName}:${entry.key}`;
    return { key: stateKey, value: encodeValue(encodeNewFence(entry.fence, stateKey), Buffer.from(entry.snapshot, 'base64'), entry.committedAt) };
  });
}
