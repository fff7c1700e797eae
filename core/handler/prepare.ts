import { valueDecoder, type ValueDecoder } from '../codecs/value-decoder.ts';
import { DEFAULT_PROPAGATED_HEADERS, inputTraits, type FunctionDefinition, type TombstonePolicy } from './definition.ts';
import { defaultInput, type InputFunction } from './default-input.ts';

/** A definition with its defaults applied once, at definition time, rather than per batch. */
export interface PreparedFunction<M = unknown> {
  readonly definition: FunctionDefinition<M>;
  readonly name: string;
  /** Picks each record's codec (its header, or the function's) and decodes its value. */
  readonly decoder: ValueDecoder;
  readonly input: InputFunction<M>;
  /** One result per record, or (readings with `emit: 'batch'`) one per key per batch. */
  readonly emit: 'record' | 'batch';
  /** Input channels of the pipeline: decoded samples must be whole frames of them. */
  readonly channels: number;
  /** Header names copied onto results, lower-case. */
  readonly propagate: readonly string[];
  readonly tombstones: TombstonePolicy;
  deadLetterTopic(sourceTopic: string): string;
}

export function prepareFunction<M>(definition: FunctionDefinition<M>): PreparedFunction<M> {
  const target = definition.deadLetterTopic;
  return {
    definition,
    name: definition.name,
    decoder: valueDecoder({
      ...(definition.codec === undefined ? {} : { codec: definition.codec }),
      ...(definition.contentTypes === undefined ? {} : { contentTypes: definition.contentTypes }),
    }),
    input: definition.input ?? defaultInput<M>,
    emit: inputTraits(definition.input).emit ?? 'record',
    channels: definition.pipeline.channels,
    propagate: definition.propagateHeaders?.map((h) => h.toLowerCase()) ?? DEFAULT_PROPAGATED_HEADERS,
    tombstones: definition.tombstones ?? 'skip',
    deadLetterTopic:
      typeof target === 'string' ? () => target : target ? (sourceTopic) => target(sourceTopic) : (sourceTopic) => `${sourceTopic}.dlq`,
  };
}
