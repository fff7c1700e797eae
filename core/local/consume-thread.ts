// A consume thread (see consume-threads.ts): hosts the function and runs the batches the consuming
// thread hands it, with a StateStore (and, where the outputs go to the main thread, a Sink) that
// forwards to that thread over the port.
import { parentPort, workerData, type TransferListItem } from 'node:worker_threads';
import type { SignalObserver } from '../handler/observer.ts';
import { jsonLogger } from '../logger/logger.ts';
import { KafkaSink } from '../sink/kafka.ts';
import type { BatchReport } from '../handler/report.ts';
import type { Sink } from '../sink/sink.ts';
import type { CommitResult, StateEntry, StateStore, StoredState, WindowIndexQuery } from '../state/store.ts';
import { SetAsideCounts } from '../report/set-aside-counts.ts';
import { countingSink, type ProducedCounts } from './consume-stats.ts';
import { unpackBatch } from './batch-packing.ts';
import { importFunction } from './function-module.ts';
import { invokeInProcess, type LocalFunction } from './lambda-event.ts';
import { portableError, type FromThread, type ObservedCall, type ThreadCounts, type ThreadSettings, type ToThread } from './thread-protocol.ts';

const port = parentPort!;
const settings = workerData as ThreadSettings;
const post = (message: FromThread, transfer: TransferListItem[] = []) => port.postMessage(message, transfer);

let requests = 0;
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();

/** One request to the consuming thread, answered by a `reply` with the same id. */
function request<T>(message: (id: number) => FromThread): Promise<T> {
  const id = ++requests;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    post(message(id));
  });
}

/** The consuming thread's store, one message each way per load and per commit. */
const state: StateStore = {
  name: 'consume-thread',
  load: (keys: readonly string[], windows?: readonly WindowIndexQuery[]) => request<Map<string, StoredState>>((id) => ({ type: 'load', id, keys, ...(windows ? { windows } : {}) })),
  commit: (entries: readonly StateEntry[]) => request<CommitResult[]>((id) => ({ type: 'commit', id, entries })),
  close: async () => {},
};

/** What this thread's sink acknowledged since its last answer (dead letters by code in setAside). */
const produced: ProducedCounts = { produced: { result: 0, log: 0, 'dead-letter': 0 }, late: 0, setAside: new SetAsideCounts() };
let reports: BatchReport[] = [];
let observed: ObservedCall[] = [];

/** The counts since the last answer, as they cross to the consuming thread; counting starts over. */
function takeCounts(): ThreadCounts {
  const counts: ThreadCounts = { produced: produced.produced, late: produced.late, deadLettersByCode: Object.fromEntries(produced.setAside.deadLetters), reports, observed };
  produced.produced = { result: 0, log: 0, 'dead-letter': 0 };
  produced.late = 0;
  produced.setAside.deadLetters.clear();
  reports = [];
  observed = [];
  return counts;
}

function outputSink(): Sink {
  if (settings.sink.to === 'main') {
    return { name: 'consume-thread', send: (messages, source) => request<void>((id) => ({ type: 'send', id, messages, ...(source ? { source } : {}) })), close: async () => {} };
  }
  const { connection, compression } = settings.sink;
  return new KafkaSink({ ...connection, logger: jsonLogger({ function: settings.functionName, component: 'consume' }, settings.logLevel), ...(compression ? { compression } : {}) });
}

/** Records what the function shows, copied (the arrays are only valid during the call). */
const recorder: SignalObserver = {
  input: (key, samples, channels, timestamp, sampleRate) => observed.push({ call: 'input', key, samples: Float32Array.from(samples), channels, timestamp, sampleRate }),
  output: (key, samples, channels, frames, timestamp, sampleRate) => observed.push({ call: 'output', key, samples: samples.slice(0, frames * channels), channels, frames, timestamp, sampleRate }),
  window: (key, start, end, channels) => observed.push({ call: 'window', key, start, end, channels: channels.map((c) => ({ ...c })) }),
};

async function start(): Promise<void> {
  let fn: LocalFunction;
  let sink: Sink;
  try {
    fn = await importFunction(settings.functionModule);
    sink = outputSink();
    // Connecting now rather than in the first batch; a sink that cannot connect yet fails that batch.
    await sink.warm?.().catch(() => {});
  } catch (error) {
    post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const bound = fn.dspfn.withRuntime({
    state,
    sink: countingSink(sink, produced),
    logger: jsonLogger({ function: settings.functionName }, settings.logLevel),
    ...(settings.observe ? { observe: recorder } : {}),
    onBatch: (report) => reports.push(report),
  });

  port.on('message', (message: ToThread) => {
    if (message.type === 'reply') {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(message.error);
      else waiting?.resolve(message.value);
    } else if (message.type === 'batch') {
      void invokeInProcess(bound, unpackBatch(message.buffer), settings.invocation).then((outcome) => {
        const answer = outcome.status === 'failed' ? { status: 'failed' as const, error: portableError(outcome.error) } : outcome;
        post({ type: 'answer', id: message.id, outcome: answer, counts: takeCounts() });
      });
    } else if (message.type === 'close') {
      void sink.close().catch(() => {}).finally(() => post({ type: 'closed' }));
    }
  });
  post({ type: 'ready' });
}

void start();
