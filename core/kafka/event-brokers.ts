import { splitBrokers } from './msk-brokers.ts';

/**
 * A Lambda container serves one function behind one event source mapping, so the cluster the
 * events come from is a sound default for where outputs go when no brokers are configured.
 */
let seen: string[] = [];

export function noteEventBootstrapServers(event: unknown): void {
  if (typeof event !== 'object' || event === null) return;
  const servers = (event as { bootstrapServers?: unknown }).bootstrapServers;
  if (typeof servers === 'string' && servers.trim() !== '') seen = splitBrokers(servers);
}

export function eventBootstrapServers(): string[] {
  return seen;
}

/** Test hook. */
export function forgetEventBootstrapServers(): void {
  seen = [];
}

/**
 * A middy middleware that remembers the event's bootstrapServers, for a Kafka sink configured
 * without brokers: `export const handler = defineFunction({…}).use(eventBrokers())`.
 */
export function eventBrokers(): { before: (request: { event: unknown }) => void } {
  return { before: (request) => noteEventBootstrapServers(request.event) };
}
