import type { KafkaRecord } from '../events/types.ts';
import type { SampleBlock } from './definition.ts';

/**
 * An input function may carry a reader of JSON record values straight from their bytes (the
 * built-in deviceReadings does): the decode step calls it for the records the `json` codec reads,
 * instead of JSON.parse and the input. The reader answers undefined whenever it cannot give
 * exactly the block the input would give for the parsed value (malformed or unusual input); the
 * general path then decides, and words any error, as it always did. The samples of a block it
 * gives are finite float32 (a sample that is not makes it answer undefined), so the decode step
 * does not check them again.
 */
export const READ_JSON_BYTES = Symbol.for('dspfn.input.readJsonBytes');

export interface JsonBytesReader<M> {
  (bytes: Buffer, record: KafkaRecord): SampleBlock<M> | undefined;
  /**
   * Optionally, the reader for a whole partition's records at once (one native call for many): the
   * block of each record it reads (only those `reads` accepts, tombstones never), undefined for the
   * others and for any it leaves to the reader above, which then decides as always. It gives
   * exactly the blocks the reader above would, in the same order of memory.
   */
  readonly many?: (records: readonly KafkaRecord[], reads: (record: KafkaRecord) => boolean) => ReadonlyArray<SampleBlock<M> | undefined>;
}

export function jsonBytesReader<M>(input: unknown): JsonBytesReader<M> | undefined {
  if (typeof input !== 'function') return undefined;
  const reader = (input as { [READ_JSON_BYTES]?: unknown })[READ_JSON_BYTES];
  return typeof reader === 'function' ? (reader as JsonBytesReader<M>) : undefined;
}
