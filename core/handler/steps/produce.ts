import type { ParsedKafkaEvent } from '../../events/types.ts';
import type { OutputMessage, Sink } from '../../sink/sink.ts';

/**
 * Step: every message of the batch to the sink, which resolves only once all are durably
 * accepted. It runs before the state commit and a failure rejects the batch, so outputs are never
 * lost: the event source redelivers and the fence keeps state exact. The event's bootstrap servers
 * go along, so a Kafka sink without configured brokers writes back to the cluster the events came
 * from.
 */
export async function produce(sink: Sink, messages: readonly OutputMessage[], event: Pick<ParsedKafkaEvent, 'bootstrapServers'>): Promise<void> {
  await sink.send(messages, { bootstrapServers: event.bootstrapServers });
}
