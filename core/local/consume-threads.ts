import { Worker, type TransferListItem } from 'node:worker_threads';
import { ConfigError } from '../errors.ts';
import type { KafkaRecord } from '../events/types.ts';
import type { SignalObserver } from '../handler/observer.ts';
import type { Sink } from '../sink/sink.ts';
import type { StateStore, StoredState } from '../state/store.ts';
import type { BatchOutcome } from './batch-outcome.ts';
import { packBatch } from './batch-packing.ts';
import { portableError, revivedMessage, type FromThread, type ObservedCall, type ThreadCounts, type ThreadSettings, type ToThread } from './thread-protocol.ts';

export interface ConsumeThreadsOptions {
  threads: number;
  settings: ThreadSettings;
  /** The one store every thread's batches load from and commit to (fencing is the store's, as in-process). */
  state: StateStore;
  /** Serves the outputs of threads whose settings send them to the main thread. */
  sink: Sink;
  observer?: SignalObserver;
  /** What the threads' sinks acknowledged and their functions reported, with each batch's answer. */
  onCounts(counts: ThreadCounts): void;
  /** A thread started after a crash could not load the function: consuming cannot go on. */
  onFatal(error: Error): void;
}

/**
 * The thread's entry and what its boot module (consume-thread-boot.mjs) registers before it: dspfn's
 * source export condition when this module runs from the sources itself (in this repository).
 */
function bootOf(): { entry: string; conditions?: string } {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(`./consume-thread.${source ? 'ts' : 'js'}`, import.meta.url).href;
  return source ? { entry, conditions: new URL('../../bin/source-conditions.mjs', import.meta.url).href } : { entry };
}

/** A snapshot that views a larger buffer (an in-place decode) would clone all of it: copied to its own. */
function compact(loaded: Map<string, StoredState>): Map<string, StoredState> {
  for (const [key, stored] of loaded) {
    if (stored.snapshot.byteLength !== stored.snapshot.buffer.byteLength) loaded.set(key, { ...stored, snapshot: stored.snapshot.slice() });
  }
  return loaded;
}

function replay(observer: SignalObserver, calls: readonly ObservedCall[]): void {
  for (const c of calls) {
    if (c.call === 'input') observer.input(c.key, c.samples, c.channels, c.timestamp, c.sampleRate);
    else if (c.call === 'output') observer.output(c.key, c.samples, c.channels, c.frames, c.timestamp, c.sampleRate);
    else observer.window(c.key, c.start, c.end, c.channels);
  }
}

/** One thread: its batches in flight, answered by id. */
class Thread {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly batches = new Map<number, (outcome: BatchOutcome) => void>();
  private nextId = 0;
  private exited = false;
  private started = false;
  private closing = false;
  private lastError: unknown;
  private whenClosed: (() => void) | undefined;

  constructor(
    readonly index: number,
    private readonly options: ConsumeThreadsOptions,
  ) {
    this.worker = new Worker(new URL('./consume-thread-boot.mjs', import.meta.url), { workerData: { ...options.settings, boot: bootOf() }, name: `dspfn consume ${index}` });
    let markReady: () => void = () => {};
    let failReady: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => {});
    this.worker.on('message', (message: FromThread) => {
      if (message.type === 'ready') {
        this.started = true;
        markReady();
      }
      else if (message.type === 'load-failed') {
        failReady(new ConfigError(`the function failed to load in a consume thread: ${message.message}`));
        void this.worker.terminate();
      } else this.onMessage(message);
    });
    this.worker.on('error', (error) => {
      this.lastError = error;
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      const why = this.lastError === undefined ? `exit code ${code}` : portableError(this.lastError).message;
      failReady(new ConfigError(`a consume thread ended before its function loaded (${why})`));
      const failed = new Error(`consume thread ${index} ended with a batch in flight (${why})`);
      for (const answer of this.batches.values()) answer({ status: 'failed', error: failed });
      this.batches.clear();
      this.whenClosed?.();
    });
  }

  /** Alive and not shutting down: it can take batches. */
  get usable(): boolean {
    return !this.exited && !this.closing;
  }

  invoke(records: KafkaRecord[]): Promise<BatchOutcome> {
    if (this.exited) return Promise.resolve({ status: 'failed', error: new Error(`consume thread ${this.index} is not running`) });
    const id = ++this.nextId;
    const buffer = packBatch(records);
    return new Promise<BatchOutcome>((resolve) => {
      this.batches.set(id, resolve);
      this.post({ type: 'batch', id, buffer }, [buffer]);
    });
  }

  /** Lets the thread close its own sink, then ends it (at once while it is still loading). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.exited) return;
    if (!this.started) {
      await this.worker.terminate();
      return;
    }
    const closed = new Promise<void>((resolve) => (this.whenClosed = resolve));
    this.post({ type: 'close' });
    await closed;
  }

  private post(message: ToThread, transfer: TransferListItem[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: FromThread): void {
    const { state, sink } = this.options;
    switch (message.type) {
      case 'answer': {
        const answer = this.batches.get(message.id);
        this.batches.delete(message.id);
        this.options.onCounts(message.counts);
        if (this.options.observer) replay(this.options.observer, message.counts.observed);
        answer?.(message.outcome);
        return;
      }
      case 'load':
        return this.serve(message.id, state.load(message.keys, message.windows).then(compact));
      case 'commit':
        return this.serve(message.id, state.commit(message.entries));
      case 'send':
        return this.serve(message.id, sink.send(message.messages.map(revivedMessage), message.source));
      case 'closed':
        void this.worker.terminate();
        return;
    }
  }

  private serve(id: number, work: Promise<unknown>): void {
    work.then(
      (value) => this.post({ type: 'reply', id, value }),
      (error: unknown) => this.post({ type: 'reply', id, error: portableError(error) }),
    );
  }
}

/**
 * The threads `consume --threads n` runs its invocations on, one partition pinned to one thread so
 * its batches keep their order and their thread's warm state. Fetching, batching, retries and
 * commits stay on the consuming thread (PartitionWorker); only the invocation moves. A thread that
 * throws or dies fails the batches it had (they are retried as any failed batch) and is replaced
 * by a fresh one when its next batch comes.
 */
export class ConsumeThreads {
  private readonly threads: Thread[];
  private readonly slots = new Map<string, number>();
  private closed = false;

  private constructor(private readonly options: ConsumeThreadsOptions) {
    this.threads = Array.from({ length: options.threads }, (_, i) => new Thread(i, options));
  }

  /** Starts every thread; rejects (with every thread ended) when the function fails to load in one. */
  static async start(options: ConsumeThreadsOptions): Promise<ConsumeThreads> {
    const pool = new ConsumeThreads(options);
    try {
      await Promise.all(pool.threads.map((t) => t.ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Partitions go to the threads in turn as they are first seen, and stay there. */
  slotOf(partitionId: string): number {
    let slot = this.slots.get(partitionId);
    if (slot === undefined) this.slots.set(partitionId, (slot = this.slots.size % this.threads.length));
    return slot;
  }

  async invoke(records: KafkaRecord[]): Promise<BatchOutcome> {
    const first = records[0];
    if (first === undefined) return { status: 'ok' };
    const slot = this.slotOf(`${first.topic}-${first.partition}`);
    let thread = this.threads[slot]!;
    if (!thread.usable && !this.closed) thread = this.threads[slot] = new Thread(slot, this.options);
    try {
      await thread.ready;
    } catch (error) {
      this.options.onFatal(error as Error);
      return { status: 'failed', error };
    }
    return thread.invoke(records);
  }

  /** Ends every thread (their batches are done: consume stops its partitions first). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
