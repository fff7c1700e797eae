import type { CodecName } from '../codecs/payload.ts';
import { DEFAULT_PROPAGATED_HEADERS, type FunctionDefinition, type TombstonePolicy } from './definition.ts';
import { defaultInput, type InputFunction } from './default-input.ts';

/** A definition with its defaults applied once, at definition time, rather than per batch. */
export interface PreparedFunction<M = unknown> {
  readonly definition: FunctionDefinition<M>;
  readonly name: string;
  readonly codec: CodecName;
  readonly input: InputFunction<M>;
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
    codec: definition.codec ?? 'json',
    input: definition.input ?? defaultInput<M>,
    channels: definition.pipeline.channels,
    propagate: definition.propagateHeaders?.map((h) => h.toLowerCase()) ?? DEFAULT_PROPAGATED_HEADERS,
    tombstones: definition.tombstones ?? 'skip',
    deadLetterTopic:
      typeof target === 'string' ? () => target : target ? (sourceTopic) => target(sourceTopic) : (sourceTopic) => `${sourceTopic}.dlq`,
  };
}
