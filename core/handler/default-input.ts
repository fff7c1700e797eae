import type { Payload } from '../codecs/payload.ts';
import { DecodeError } from '../errors.ts';
import { keyText, type KafkaRecord } from '../events/types.ts';
import type { SampleBlock } from './definition.ts';

export type InputFunction<M> = (payload: Payload, record: KafkaRecord) => SampleBlock<M>;

/** Default input: the record key, and samples from f32le or a JSON array of numbers. */
export function defaultInput<M>(payload: Payload, record: KafkaRecord): SampleBlock<M> {
  if (record.key === null) throw new DecodeError('record has no key (the default input keys by record key)');
  const key = keyText(record);
  if (key === undefined) throw new DecodeError('record key is not UTF-8 text (the default input keys by record key)');
  if (payload.codec === 'f32le') return { key, samples: payload.samples };
  if (payload.codec === 'json' && Array.isArray(payload.value)) return { key, samples: payload.value as number[] };
  throw new DecodeError(`the default input needs f32le samples or a JSON array of numbers, got ${payload.codec}`);
}
