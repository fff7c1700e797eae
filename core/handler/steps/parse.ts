import { parseKafkaEvent, type ParseOptions } from '../../events/parse.ts';
import type { ParsedKafkaEvent } from '../../events/types.ts';

/**
 * Step: the invocation's event, checked to be an MSK or self-managed Kafka event and flattened
 * into partitions of records in offset order (keys, values and headers as bytes).
 */
export function parseEvent(event: unknown, options?: ParseOptions): ParsedKafkaEvent {
  return parseKafkaEvent(event, options);
}
