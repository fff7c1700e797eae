import type { Context } from 'aws-lambda';
import { jsBackend, type DspBackend } from '../dsp/backend.ts';
import { mskEvent, selfManagedKafkaEvent, type EventOptions, type RecordInput } from '../events/build.ts';
import type { KafkaEvent } from '../events/types.ts';
import type { DspfnHandler, KafkaBatchResponse } from '../handler/define-function.ts';
import { jsonLogger } from '../logger/logger.ts';
import type { BatchReport } from '../handler/process-batch.ts';
import { MemorySink } from '../sink/memory.ts';
import { MemoryStateStore } from '../state/memory.ts';
import type { StateStore } from '../state/store.ts';
import { lambdaContext } from './context.ts';

export interface TestHarness {
  readonly sink: MemorySink;
  readonly state: StateStore;
  readonly reports: BatchReport[];
  /** Invokes the handler with an MSK event built from the records (or with a given event). */
  invoke(records: readonly RecordInput[] | KafkaEvent, options?: EventOptions & { selfManaged?: boolean }): Promise<KafkaBatchResponse | void>;
  /** The scheduled idle tick of a windowed function (`{ dspfn: 'tick' }`), at the harness's `now`. */
  tick(): Promise<void>;
}

/**
 * Binds a function to an in-memory state store and sink, silent logs and (by default) the
 * TypeScript backend, for unit tests.
 */
export function testHarness<M>(
  handler: DspfnHandler<M>,
  options: { state?: StateStore; backend?: DspBackend; context?: Partial<Context>; now?: () => number } = {},
): TestHarness {
  const sink = new MemorySink();
  const state = options.state ?? new MemoryStateStore();
  const reports: BatchReport[] = [];
  const bound = handler.dspfn.withRuntime({
    sink,
    state,
    backend: options.backend ?? jsBackend,
    logger: jsonLogger({}, 'silent'),
    onBatch: (report) => reports.push(report),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    sink,
    state,
    reports,
    async invoke(records, eventOptions = {}) {
      const event = Array.isArray(records)
        ? (eventOptions.selfManaged ? selfManagedKafkaEvent : mskEvent)(records as RecordInput[], eventOptions)
        : (records as KafkaEvent);
      const context = { ...lambdaContext({ functionName: handler.dspfn.definition.name }), ...options.context };
      return bound(event, context);
    },
    async tick() {
      const context = { ...lambdaContext({ functionName: handler.dspfn.definition.name }), ...options.context };
      await bound({ dspfn: 'tick' } as unknown as KafkaEvent, context);
    },
  };
}
