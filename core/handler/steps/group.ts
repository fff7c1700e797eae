import type { DecodedRecord } from './decode.ts';

/** Step: records grouped by pipeline key; each group keeps the event's per-partition offset order. */
export function groupByKey<M>(records: readonly DecodedRecord<M>[]): Map<string, DecodedRecord<M>[]> {
  const groups = new Map<string, DecodedRecord<M>[]>();
  for (const record of records) {
    const group = groups.get(record.key);
    if (group) group.push(record);
    else groups.set(record.key, [record]);
  }
  return groups;
}
