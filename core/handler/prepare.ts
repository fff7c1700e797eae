import { valueDecoder, type ValueDecoder } from '../codecs/value-decoder.ts';
import { DEFAULT_PROPAGATED_HEADERS, inputTraits, type FunctionDefinition, type TombstonePolicy } from './definition.ts';
import { defaultInput, type InputFunction } from './default-input.ts';
import { windowOptionsOf } from './definition.ts';
import { WindowEngine } from '../windows/engine.ts';
import { reusesEventMemory } from './record-memory.ts';

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
  /** No user code sees a record's memory: a batch's decoded keys and values may go in pooled memory (record-memory.ts). */
  readonly reusesEventMemory: boolean;
  deadLetterTopic(sourceTopic: string): string;
  /** With `window`: the window engine and where late records go. */
  readonly windows?: { readonly engine: WindowEngine; lateTopic(sourceTopic: string): string };
}

export function prepareFunction<M>(definition: FunctionDefinition<M>): PreparedFunction<M> {
  const target = definition.deadLetterTopic;
  const late = definition.lateTopic;
  const windows =
    definition.window === undefined
      ? {}
      : {
          windows: {
            engine: new WindowEngine(windowOptionsOf(definition)),
            lateTopic: typeof late === 'string' ? () => late : late ? (sourceTopic: string) => late(sourceTopic) : (sourceTopic: string) => `${sourceTopic}.late`,
          },
        };
  return {
    ...windows,
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
    reusesEventMemory: reusesEventMemory(definition),
    deadLetterTopic:
      typeof target === 'string' ? () => target : target ? (sourceTopic) => target(sourceTopic) : (sourceTopic) => `${sourceTopic}.dlq`,
  };
}
