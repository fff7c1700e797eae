import { RecordCutter } from './batch-cutter.ts';
import { settleBatch, type BatchOutcome, type BatchRecord, type FailurePoint } from './batch-outcome.ts';
import { wallClock, type Clock } from './clock.ts';
import type { ReplayRecord } from './replay-file.ts';
import type { KafkaRecord } from '../events/types.ts';

export interface PartitionSettings {
  batchSize: number;
  batchWindowMs: number;
  /** -1: retry until it succeeds (the mapping's default). */
  maxRetries: number;
  retryDelayMs: number;
  /**
   * Fetching pauses at this many buffered records and resumes once a whole batch fits again (at
   * `maxBufferedRecords - batchSize`), so the next batch is fetched while the current ones run.
   */
  maxBufferedRecords: number;
  maxEventBytes?: number;
  /** Wall time by default; a test drives a ManualClock (windows and backoffs without waiting). */
  clock?: Clock;
  /**
   * How pushed records wake the worker: at once (default), or through this (consume: setImmediate).
   * A fetch's batches are pushed one partition after the other, and a worker woken at once runs its
   * whole batch (milliseconds of CPU) before the next partition's push and the fetch loop's next
   * request: deferred, the next fetch goes out first and the broker serves it while batches run.
   */
  deferWake?: (wake: () => void) => void;
}

/** What a worker does outside itself; consume.ts wires these to kafkajs, the function and the sinks. */
export interface PartitionPorts<R extends BatchRecord = ReplayRecord> {
  invoke(records: R[]): Promise<BatchOutcome>;
  /**
   * Commits `offset` as the partition's next offset to consume; resolves only once the broker has
   * taken it (a commit the client silently dropped must reject).
   */
  commit(offset: number): Promise<void>;
  /** Sends records whose retries are spent to the on-failure destination (absent: they are dropped). */
  discard(records: R[], error: unknown, attempts: number): Promise<void>;
  pause(): void;
  resume(): void;
  succeeded(records: readonly R[]): void;
  /** Optional: how long `records` records that arrived together waited until their batch's start, ms. */
  queued?(ms: number, records: number): void;
  /** `partial`: the function answered with batchItemFailures rather than an error. */
  failed(error: unknown, attempt: number, partial: boolean): void;
  /** A commit of `offset` was not taken; it is kept and tried again. */
  commitFailed(error: unknown, offset: number): void;
}

type WorkerState = 'running' | 'stopping' | 'revoked';

/**
 * One assigned partition, processed like the Lambda event source does it: records in offset
 * order, one batch in flight, batches cut by the shared BatchCutter on wall time (at `batchSize`,
 * at 6 MB, or once the batching window since the first record has passed), answers settled by the
 * shared rule (settleBatch); offsets are committed only after the function succeeds (a commit
 * overlaps the next batch), a failed batch is retried from its first unprocessed record.
 */
export class PartitionWorker<R extends ReplayRecord | KafkaRecord = ReplayRecord> {
  private readonly cutter: RecordCutter<R>;
  private readonly clock: Clock;
  /** The offset after the last record taken in; records below it are already held or done. */
  private nextOffset: number | undefined;
  private failure: FailurePoint | undefined;
  private state: WorkerState = 'running';
  private paused = false;
  private wakeUp: (() => void) | undefined;
  private wakeDeferred = false;
  private backingOff = false;
  private busy = false;
  private idleWaiters: Array<() => void> = [];
  private committed: number | undefined;
  /** The highest offset processed but not yet taken by the broker. */
  private uncommitted: number | undefined;
  /** Commits run one at a time, in order: a retry never races the next batch's commit. */
  private commits: Promise<void> = Promise.resolve();
  /** The highest offset whose records are processed and whose commit has been asked for. */
  private requested: number | undefined;
  private commitFailures = 0;
  private cancelCommitRetry: (() => void) | undefined;
  readonly finished: Promise<void>;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly settings: PartitionSettings,
    private readonly ports: PartitionPorts<R>,
  ) {
    this.clock = settings.clock ?? wallClock;
    this.cutter = new RecordCutter({ batchSize: settings.batchSize, windowMs: settings.batchWindowMs, maxEventBytes: settings.maxEventBytes }, () => this.now());
    this.finished = this.run();
  }

  /** How many fetched records can be taken now; fetching pauses at zero. */
  room(): number {
    return Math.max(0, this.settings.maxBufferedRecords - this.cutter.size);
  }

  /** Records at or beyond this offset are new to the worker (a rebalance refetches from the last commit). */
  wants(offset: number): boolean {
    return this.state === 'running' && (this.nextOffset === undefined || offset >= this.nextOffset);
  }

  push(records: readonly R[]): void {
    if (this.state !== 'running') return;
    const now = this.now();
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (!this.wants(record.offset)) continue;
      this.cutter.push(record, now);
      this.nextOffset = record.offset + 1;
    }
    if (this.cutter.size >= this.settings.maxBufferedRecords && !this.paused) {
      this.paused = true;
      this.ports.pause();
    }
    // New records must not cut a retry's backoff short; only stop and revoke do.
    if (!this.backingOff) this.wakeForRecords();
  }

  /** Resolves once nothing is buffered and no batch is in flight. */
  idle(): Promise<void> {
    if (this.cutter.size === 0 && !this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Finishes the batch in flight and commits it; buffered records stay uncommitted for the next owner. */
  async stop(): Promise<void> {
    if (this.state === 'running') this.state = 'stopping';
    this.wake();
    await this.finished;
    this.stopCommitRetry();
    if (this.uncommitted !== undefined && this.state === 'stopping') await this.commit(this.uncommitted);
    await this.commits;
  }

  /** The partition went to another consumer: drop what is buffered and commit nothing more. */
  revoke(): void {
    this.state = 'revoked';
    this.cutter.clear();
    this.stopCommitRetry();
    this.wake();
  }

  /** The offset the broker last took from this worker. */
  committedOffset(): number | undefined {
    return this.committed;
  }

  /** Processed records whose commit the broker has not taken yet: the next offset, or undefined. */
  pendingCommit(): number | undefined {
    return this.uncommitted;
  }

  /** Tries a pending commit again now (consume calls it when the consumer has rejoined its group). */
  retryCommit(): Promise<void> {
    return this.uncommitted === undefined ? this.commits : this.commit(this.uncommitted);
  }

  private now(): number {
    return this.clock.now();
  }

  private wakeForRecords(): void {
    const defer = this.settings.deferWake;
    if (!defer) return this.wake();
    if (this.wakeDeferred) return;
    this.wakeDeferred = true;
    defer(() => {
      this.wakeDeferred = false;
      if (!this.backingOff) this.wake();
    });
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = ms === undefined ? undefined : this.clock.after(ms, () => this.wake());
      this.wakeUp = () => {
        cancel?.();
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.state === 'running') {
        if (this.cutter.size === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
          await this.sleep();
          continue;
        }
        // A retry goes again at once (after its backoff); a new batch waits for its window to close.
        if (!this.failure && !this.cutter.full() && this.now() < this.cutter.deadline()) {
          await this.sleep(this.cutter.deadline() - this.now());
          continue;
        }
        this.busy = true;
        await this.process(this.take());
        this.busy = false;
      }
    } finally {
      this.busy = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private take(): R[] {
    const queued = this.ports.queued;
    const now = this.now();
    const taken = this.cutter.cut(queued && ((arrivedAt, records) => queued(now - arrivedAt, records)));
    if (this.paused && this.cutter.size + this.settings.batchSize <= this.settings.maxBufferedRecords) {
      this.paused = false;
      this.ports.resume();
    }
    return taken;
  }

  private async process(records: R[]): Promise<void> {
    const outcome = await this.ports.invoke(records);
    const settled = settleBatch(outcome, records, this.failure, this.settings.maxRetries);
    if (settled.failure === undefined) {
      this.failure = undefined;
      this.ports.succeeded(records);
      // Not awaited: the next batch runs while the broker takes this offset. Commits stay in
      // order on their own chain, and each is issued only after its batch's outputs were
      // acknowledged (invoke resolved), so an offset never runs ahead of its results.
      void this.commit(records.at(-1)!.offset + 1);
      return;
    }
    if (settled.done.length > 0) {
      this.ports.succeeded(settled.done);
      await this.commit(settled.remaining[0]!.offset);
    }
    this.failure = settled.failure;
    this.ports.failed(settled.error, settled.failure.attempts, outcome.status === 'partial');
    if (this.state === 'revoked') return;
    if (settled.spent && (await this.discard(settled.remaining, settled.error, settled.failure.attempts))) {
      this.failure = undefined;
      await this.commit(settled.remaining.at(-1)!.offset + 1);
      return;
    }
    this.cutter.putBack(settled.remaining, this.now());
    if (this.state === 'running') await this.backOff(settled.failure.attempts);
  }

  private async backOff(attempts: number): Promise<void> {
    this.backingOff = true;
    try {
      await this.sleep(this.backoff(attempts));
    } finally {
      this.backingOff = false;
    }
  }

  private backoff(attempts: number): number {
    return Math.min(this.settings.retryDelayMs * 2 ** (attempts - 1), 10_000);
  }

  /** Skipping records is only safe once the destination has them: keep trying until it does. */
  private async discard(records: R[], error: unknown, attempts: number): Promise<boolean> {
    for (let tries = 1; this.state !== 'revoked'; tries++) {
      try {
        await this.ports.discard(records, error, attempts);
        return true;
      } catch (sendError) {
        this.ports.failed(sendError, attempts, false);
        if (this.state !== 'running') return false;
        await this.backOff(tries);
      }
    }
    return false;
  }

  private commit(offset: number): Promise<void> {
    this.requested = Math.max(this.requested ?? offset, offset);
    this.commits = this.commits.then(() => this.commitNow(offset));
    return this.commits;
  }

  private async commitNow(requested: number): Promise<void> {
    // Commits queued behind a slow one go as one: the highest offset processed by now.
    const offset = Math.max(requested, this.requested ?? requested);
    // A revoked partition belongs to another consumer now; a late commit could move its offset back.
    if (this.state === 'revoked') return;
    // A retry that a later commit already covered.
    if (this.committed !== undefined && offset <= this.committed) return;
    try {
      await this.ports.commit(offset);
      this.committed = offset;
      if (this.uncommitted !== undefined && this.uncommitted <= offset) this.uncommitted = undefined;
      this.commitFailures = 0;
      this.stopCommitRetry();
    } catch (error) {
      // The records were processed; their offset is kept and committed by the next batch's commit,
      // a retryCommit(), or this retry after a backoff, whichever comes first.
      this.uncommitted = Math.max(this.uncommitted ?? offset, offset);
      this.commitFailures++;
      this.ports.commitFailed(error, offset);
      if (this.state === 'running' && this.cancelCommitRetry === undefined) {
        this.cancelCommitRetry = this.clock.after(this.backoff(this.commitFailures), () => {
          this.cancelCommitRetry = undefined;
          void this.retryCommit();
        });
      }
    }
  }

  private stopCommitRetry(): void {
    this.cancelCommitRetry?.();
    this.cancelCommitRetry = undefined;
  }
}
