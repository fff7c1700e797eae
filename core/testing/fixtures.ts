import { readFileSync } from 'node:fs';
import type { KafkaEvent } from '../events/types.ts';

/**
 * Events in the shape Lambda documents for its Kafka event sources (core/events/fixtures):
 * - `msk`: `aws:kafka` with the cluster ARN, two partitions of a topic whose name has dashes,
 *   signed header bytes, a LOG_APPEND_TIME record with f32le samples;
 * - `self-managed`: `SelfManagedKafka`, a record without a key;
 * - `msk-schema-registry`: records carrying `keySchemaMetadata`/`valueSchemaMetadata` (Glue UUID and
 *   Confluent ids), a `null` key and a tombstone (`value: null`).
 */
export const DOCUMENTED_EVENTS = ['msk', 'self-managed', 'msk-schema-registry'] as const;
export type DocumentedEventName = (typeof DOCUMENTED_EVENTS)[number];

const loaded = new Map<DocumentedEventName, KafkaEvent>();

/** A fresh copy of a documented-shape event on every call, so a test may change it freely. */
export function documentedEvent(name: DocumentedEventName): KafkaEvent {
  let event = loaded.get(name);
  if (!event) {
    event = JSON.parse(readFileSync(new URL(`../events/fixtures/${name}.json`, import.meta.url), 'utf8')) as KafkaEvent;
    loaded.set(name, event);
  }
  return structuredClone(event);
}
