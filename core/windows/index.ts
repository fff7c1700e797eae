// Event-time windows: a pure engine (no I/O) the handler drives per partition.
export { AGGREGATES } from './accumulator.ts';
export type { Aggregate, ChannelAggregates } from './accumulator.ts';
export { parseDuration, formatDuration } from './duration.ts';
export type { Duration } from './duration.ts';
export { windowSpec, MAX_WINDOWS_PER_FRAME } from './spec.ts';
export type { WindowDefinition, WindowOptions, WindowSpec } from './spec.ts';
export { KeyWindows, WINDOWS_MAGIC, WINDOWS_VERSION } from './key-windows.ts';
export type { OpenWindow } from './key-windows.ts';
export { PartitionIndex, INDEX_HEADER, INDEX_VERSION, closingKeys } from './partition-index.ts';
export { WindowEngine } from './engine.ts';
export type { ClosedWindow, LateRecord, WindowRecord, WindowRun } from './engine.ts';
