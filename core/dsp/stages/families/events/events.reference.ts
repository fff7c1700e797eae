/**
 * Helpers for the event stages' references: their float64 definitions give one row
 * `[index, channel, kind code, value]` per event (StageReference.definition), sorted as the
 * kernels write them (by index, then channel); the bench's plain loops write events the same way.
 */

export interface EventRow {
  readonly index: number;
  readonly channel: number;
  readonly code: number;
  readonly value: number;
}

/** The rows as the flat array a definition returns, in kernel order. */
export function eventRows(rows: EventRow[]): Float64Array {
  rows.sort((a, b) => a.index - b.index || a.channel - b.channel);
  return Float64Array.from(rows.flatMap((r) => [r.index, r.channel, r.code, r.value]));
}

/** Sample n of channel c of interleaved frames. */
export function sampleAt(input: Float32Array, channels: number, n: number, c: number): number {
  return input[n * channels + c]!;
}
