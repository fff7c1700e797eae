import type { Context, MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import { inProcessEvent } from '../events/in-process.ts';
import type { KafkaEvent, KafkaRecord } from '../events/types.ts';
import type { Runtime } from '../handler/runtime.ts';
import { lambdaContext } from '../testing/context.ts';
import { parseDuration } from '../windows/duration.ts';
import { batchOutcome, type BatchOutcome } from './batch-outcome.ts';
import type { ReplayRecord } from './replay-file.ts';

export type EventShape = 'msk' | 'self-managed';

/** Wraps records in the event Lambda would deliver, grouped under "topic-partition". */
const REPLAY_CLUSTER_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/dspfn-replay/00000000-0000-0000-0000-000000000000-1';

export function eventFor(records: readonly ReplayRecord[], shape: EventShape, bootstrapServers: string): MSKEvent | SelfManagedKafkaEvent {
  const groups: Record<string, ReplayRecord[]> = {};
  for (const record of records) (groups[`${record.topic}-${record.partition}`] ??= []).push(record);
  if (shape === 'self-managed') return { eventSource: 'SelfManagedKafka', bootstrapServers, records: groups } as SelfManagedKafkaEvent;
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: REPLAY_CLUSTER_ARN,
    bootstrapServers,
    records: groups,
  } as MSKEvent;
}

/** A function made by defineFunction, or anything bound the same way (its answer may carry batchItemFailures). */
export interface LocalFunction {
  readonly dspfn: {
    readonly definition: { readonly name: string; readonly window?: unknown; readonly idleTimeout?: number | string };
    withRuntime(runtime: Partial<Runtime>): (event: KafkaEvent, context: Context) => Promise<unknown>;
  };
}

export type BoundFunction = (event: KafkaEvent, context: Context) => Promise<unknown>;

/** One invocation with a Lambda-shaped event, its answer read as the event source reads it. */
export async function invokeBatch(
  fn: BoundFunction,
  records: readonly ReplayRecord[],
  options: { functionName: string; shape: EventShape; bootstrapServers: string },
): Promise<BatchOutcome> {
  try {
    const event = eventFor(records, options.shape, options.bootstrapServers) as KafkaEvent;
    return batchOutcome(await fn(event, lambdaContext({ functionName: options.functionName })), records);
  } catch (error) {
    return { status: 'failed', error };
  }
}

/** The idle timeout of a windowed function (ms), for the tick `replay` and `consume` emulate; undefined without one. */
export function idleTimeoutOf(fn: LocalFunction): number | undefined {
  const { window, idleTimeout } = fn.dspfn.definition;
  return window === undefined || idleTimeout === undefined ? undefined : parseDuration(idleTimeout, 'idleTimeout');
}

/** The scheduled tick, as the `schedule` event of a deployed windowed function delivers it. */
export async function invokeTick(fn: BoundFunction, functionName: string): Promise<void> {
  await fn({ dspfn: 'tick' } as unknown as KafkaEvent, lambdaContext({ functionName }));
}

/** How often the deployed schedule ticks, and so `consume` too. */
export const TICK_INTERVAL_MS = 60_000;
/**
 * As invokeBatch, for records of one partition already held as bytes, in offset order: the event is
 * Lambda-shaped for whoever reads it, but the handler takes the Buffers as they are (inProcessEvent).
 */
export async function invokeInProcess(
  fn: BoundFunction,
  records: readonly KafkaRecord[],
  options: { functionName: string; shape: EventShape; bootstrapServers: string },
): Promise<BatchOutcome> {
  try {
    const first = records[0];
    const event = inProcessEvent({
      eventSource: options.shape === 'self-managed' ? 'SelfManagedKafka' : 'aws:kafka',
      ...(options.shape === 'self-managed' ? {} : { eventSourceArn: REPLAY_CLUSTER_ARN }),
      bootstrapServers: options.bootstrapServers.split(',').filter((s) => s.length > 0),
      partitions: first === undefined ? [] : [{ topic: first.topic, partition: first.partition, records }],
      malformed: [],
      recordCount: records.length,
    });
    return batchOutcome(await fn(event, lambdaContext({ functionName: options.functionName })), records);
  } catch (error) {
    return { status: 'failed', error };
  }
}
