import type { ValueDecoder } from '../../codecs/value-decoder.ts';
import { DecodeError, DspfnError, InvalidSamplesError, describeError } from '../../errors.ts';
import type { KafkaRecord, ParsedKafkaEvent } from '../../events/types.ts';
import type { InputFunction } from '../default-input.ts';
import { jsonBytesReader } from '../json-bytes-input.ts';
import { FiniteMemory, firstNonFinite } from '../../dsp/finite.ts';
import type { SampleBlock, TombstonePolicy } from '../definition.ts';

export interface DecodedRecord<M = unknown> {
  readonly record: KafkaRecord;
  readonly key: string;
  readonly block: SampleBlock<M>;
  readonly samples: Float32Array;
}

export interface RejectedRecord {
  readonly record: KafkaRecord;
  readonly error: DspfnError;
}

/** `finite`: the samples are known finite (a JSON bytes reader's, which rejects any that is not). */
function toSamples(samples: Float32Array | readonly number[], channels: number, scanned: FiniteMemory, finite: boolean): Float32Array {
  if (!(samples instanceof Float32Array) && !Array.isArray(samples)) {
    throw new InvalidSamplesError('samples must be a Float32Array or an array of numbers');
  }
  if (samples.length % channels !== 0) {
    throw new InvalidSamplesError(`${samples.length} samples are not whole frames of ${channels} interleaved channel(s)`);
  }
  const out = samples instanceof Float32Array ? samples : Float32Array.from(samples);
  // Also catches JSON numbers beyond float32 range, which become Infinity here.
  // The value is not quoted: reasons locate the problem, they do not carry payloads.
  const bad = finite || scanned.vouchesFor(out) ? -1 : firstNonFinite(out);
  if (bad >= 0) throw new InvalidSamplesError(`sample ${bad} is not a finite float32`);
  return out;
}

export interface DecodedBatch<M> {
  decoded: DecodedRecord<M>[];
  rejected: RejectedRecord[];
  /** Tombstones skipped (the function's `tombstones: 'skip'`). */
  tombstones: number;
}

/**
 * Step: decode every record — its value with the codec its content-type header or the function
 * selects (schema codecs loaded beforehand by `decoder.load()`), the function's input, sample
 * checks. A record that fails is rejected with its reason and the rest proceed; so are the records
 * the event carried malformed. A tombstone is skipped or rejected as the function declares.
 */
export function decodeRecords<M>(
  event: ParsedKafkaEvent,
  decoder: ValueDecoder,
  input: InputFunction<M>,
  channels: number,
  tombstones: TombstonePolicy = 'skip',
): DecodedBatch<M> {
  const decoded: DecodedRecord<M>[] = [];
  const rejected: RejectedRecord[] = event.malformed.map(({ record, error }) => ({ record, error }));
  let skipped = 0;
  const fromJsonBytes = decoder.readsJson ? jsonBytesReader<M>(input) : undefined;
  // f32le samples that are views of the event's decoded values are checked by one scan of them.
  const scanned = new FiniteMemory(event.valueMemory);
  const readsJson = decoder.readsJson && ((record: KafkaRecord) => decoder.readsJson!(record));
  for (const partition of event.partitions) {
    const { records } = partition;
    // The partition's JSON records by the reader's native call for many, where it has one.
    const many = fromJsonBytes?.many !== undefined && records.length > 1 ? fromJsonBytes.many(records, readsJson!) : undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.tombstone) {
        if (tombstones === 'skip') skipped++;
        else rejected.push({ record, error: tombstoneError(record) });
        continue;
      }
      try {
        const read = many?.[i] ?? (fromJsonBytes !== undefined && readsJson!(record) ? fromJsonBytes(record.value, record) : undefined);
        const block = read ?? input(decoder.decode(record), record);
        if (typeof block?.key !== 'string' || block.key.length === 0) {
          throw new DecodeError('input returned no key');
        }
        // A JSON bytes reader's samples are finite float32 already: only whole frames to check.
        const { samples } = block;
        const ready = read !== undefined && samples instanceof Float32Array && samples.length % channels === 0;
        decoded.push({ record, key: block.key, block, samples: ready ? samples : toSamples(samples, channels, scanned, read !== undefined && samples instanceof Float32Array) });
      } catch (error) {
        const location = { topic: record.topic, partition: record.partition, offset: record.offset };
        const reason =
          error instanceof DspfnError
            ? error
            : new DecodeError(`input rejected the record: ${describeError(error).slice(0, 300)}`, { cause: error });
        rejected.push({ record, error: Object.assign(reason, { record: location }) });
      }
    }
  }
  return { decoded, rejected, tombstones: skipped };
}

function tombstoneError(record: KafkaRecord): DecodeError {
  const location = { topic: record.topic, partition: record.partition, offset: record.offset };
  return new DecodeError("the record is a tombstone (no value) and the function dead-letters tombstones (tombstones: 'dead-letter')", { record: location });
}
