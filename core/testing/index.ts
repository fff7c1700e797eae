/**
 * `dspfn/testing`: run a function in a unit test — Lambda-shaped events built from plain values,
 * a Lambda context, and a harness with in-memory state and outputs.
 */
export { f32leBytes, kafkaRecord, mskEvent, selfManagedKafkaEvent, valueBytes } from '../events/build.ts';
export type { EventOptions, RecordInput } from '../events/build.ts';
export { lambdaContext } from './context.ts';
export { testHarness } from './harness.ts';
export type { TestHarness } from './harness.ts';
export { MemorySink } from '../sink/memory.ts';
export { MemoryStateStore } from '../state/memory.ts';
export { documentedEvent, DOCUMENTED_EVENTS } from './fixtures.ts';
export type { DocumentedEventName } from './fixtures.ts';
export { ManualClock } from './manual-clock.ts';
