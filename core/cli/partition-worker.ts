import type { BatchOutcome } from './batch-failures.ts';
import { MAX_EVENT_BYTES, recordEventBytes } from './batcher.ts';
import type { ReplayRecord } from './replay-file.ts';

const EVENT_OVERHEAD_BYTES = 512;

export interface PartitionSettings {
  batchSize: number;
  batchWindowMs: number;
  /** -1: retry until it succeeds (the mapping's default). */
  maxRetries: number;
  retryDelayMs: number;
  /** Fetching pauses above this many buffered records and resumes below `batchSize`. */
  maxBufferedRecords: number;
  maxEventBytes?: number;
}

/** What a worker does outside itself; consume.ts wires these to kafkajs, the function and the sinks. */
export interface PartitionPorts {
  invoke(records: ReplayRecord[]): Promise<BatchOutcome>;
  /** Commits `offset` as the partition's next offset to consume. */
  commit(offset: number): Promise<void>;
  /** Sends records whose retries are spent to the on-failure destination (absent: they are dropped). */
  discard(records: ReplayRecord[], error: unknown, attempts: number): Promise<void>;
  pause(): void;
  resume(): void;
  succeeded(records: readonly ReplayRecord[]): void;
  /** `partial`: the function answered with batchItemFailures rather than an error. */
  failed(error: unknown, attempt: number, partial: boolean): void;
  commitFailed(error: unknown): void;
}

interface Buffered {
  record: ReplayRecord;
  bytes: number;
  arrivedAt: number;
}

type WorkerState = 'running' | 'stopping' | 'revoked';

/**
 * One assigned partition, processed like the Lambda event source does it: records in offset
 * order, one batch in flight, a batch closes at `batchSize`, at 6 MB or when the batching window
 * since its first record has passed; offsets are committed only after the function succeeds, a
 * failed batch is retried from its first unprocessed record.
 */
export class PartitionWorker {
  private buffer: Buffered[] = [];
  private bufferBytes = 0;
  /** The offset after the last record taken in; records below it are already held or done. */
  private nextOffset: number | undefined;
  private failure: { offset: number; attempts: number } | undefined;
  private state: WorkerState = 'running';
  private paused = false;
  private wakeUp: (() => void) | undefined;
  private backingOff = false;
  private committed: number | undefined;
  private uncommitted: number | undefined;
  readonly finished: Promise<void>;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly settings: PartitionSettings,
    private readonly ports: PartitionPorts,
  ) {
    this.finished = this.run();
  }

  /** How many fetched records can be taken now; fetching pauses at zero. */
  room(): number {
    return Math.max(0, this.settings.maxBufferedRecords - this.buffer.length);
  }

  /** Records at or beyond this offset are new to the worker (a rebalance refetches from the last commit). */
  wants(offset: number): boolean {
    return this.state === 'running' && (this.nextOffset === undefined || offset >= this.nextOffset);
  }

  push(records: readonly ReplayRecord[]): void {
    if (this.state !== 'running') return;
    const now = performance.now();
    for (const record of records) {
      if (!this.wants(record.offset)) continue;
      const bytes = recordEventBytes(record);
      this.buffer.push({ record, bytes, arrivedAt: now });
      this.bufferBytes += bytes;
      this.nextOffset = record.offset + 1;
    }
    if (this.buffer.length >= this.settings.maxBufferedRecords && !this.paused) {
      this.paused = true;
      this.ports.pause();
    }
    // New records must not cut a retry's backoff short; only stop and revoke do.
    if (!this.backingOff) this.wake();
  }

  /** Finishes the batch in flight and commits it; buffered records stay uncommitted for the next owner. */
  async stop(): Promise<void> {
    if (this.state === 'running') this.state = 'stopping';
    this.wake();
    await this.finished;
    if (this.uncommitted !== undefined && this.state === 'stopping') await this.commit(this.uncommitted);
  }

  /** The partition went to another consumer: drop what is buffered and commit nothing more. */
  revoke(): void {
    this.state = 'revoked';
    this.buffer = [];
    this.bufferBytes = 0;
    this.wake();
  }

  committedOffset(): number | undefined {
    return this.committed;
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake(), Math.max(0, ms));
      this.wakeUp = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  private ready(): boolean {
    return this.buffer.length >= this.settings.batchSize || this.bufferBytes + EVENT_OVERHEAD_BYTES >= (this.settings.maxEventBytes ?? MAX_EVENT_BYTES);
  }

  private async run(): Promise<void> {
    while (this.state === 'running') {
      if (this.buffer.length === 0) {
        await this.sleep();
        continue;
      }
      // A retry goes again at once (after its backoff); a new batch waits for its window to fill.
      if (!this.failure) {
        const deadline = this.buffer[0]!.arrivedAt + this.settings.batchWindowMs;
        if (!this.ready() && performance.now() < deadline) {
          await this.sleep(deadline - performance.now());
          continue;
        }
      }
      await this.process(this.take());
    }
  }

  private take(): ReplayRecord[] {
    const limit = this.settings.maxEventBytes ?? MAX_EVENT_BYTES;
    let bytes = EVENT_OVERHEAD_BYTES;
    let n = 0;
    while (n < this.buffer.length && n < this.settings.batchSize) {
      const next = this.buffer[n]!.bytes;
      if (n > 0 && bytes + next > limit) break;
      bytes += next;
      n++;
    }
    const taken = this.buffer.splice(0, n);
    this.bufferBytes -= bytes - EVENT_OVERHEAD_BYTES;
    if (this.paused && this.buffer.length < this.settings.batchSize) {
      this.paused = false;
      this.ports.resume();
    }
    return taken.map((b) => b.record);
  }

  /** Failed records go back to the front, so the retry starts where the failure is. */
  private putBack(records: readonly ReplayRecord[]): void {
    const now = performance.now();
    const back = records.map((record) => ({ record, bytes: recordEventBytes(record), arrivedAt: now }));
    this.buffer.unshift(...back);
    for (const b of back) this.bufferBytes += b.bytes;
  }

  private async process(records: ReplayRecord[]): Promise<void> {
    const outcome = await this.ports.invoke(records);
    if (outcome.status === 'ok') {
      this.failure = undefined;
      this.ports.succeeded(records);
      await this.commit(records.at(-1)!.offset + 1);
      return;
    }
    const failedAt = outcome.status === 'partial' ? outcome.offset : records[0]!.offset;
    const error = outcome.status === 'partial' ? new Error(outcome.reason) : outcome.error;
    const done = records.filter((r) => r.offset < failedAt);
    const remaining = records.filter((r) => r.offset >= failedAt);
    if (done.length > 0) {
      this.ports.succeeded(done);
      await this.commit(failedAt);
    }
    // Progress past the last failure point restarts the count, as the event source does per record.
    const attempts = this.failure?.offset === failedAt ? this.failure.attempts + 1 : 1;
    this.failure = { offset: failedAt, attempts };
    this.ports.failed(error, attempts, outcome.status === 'partial');
    if (this.state === 'revoked') return;
    if (this.settings.maxRetries >= 0 && attempts > this.settings.maxRetries) {
      if (await this.discard(remaining, error, attempts)) {
        this.failure = undefined;
        await this.commit(remaining.at(-1)!.offset + 1);
        return;
      }
    }
    this.putBack(remaining);
    if (this.state === 'running') await this.backOff(attempts);
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
  private async discard(records: ReplayRecord[], error: unknown, attempts: number): Promise<boolean> {
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

  private async commit(offset: number): Promise<void> {
    // A revoked partition belongs to another consumer now; a late commit could move its offset back.
    if (this.state === 'revoked') return;
    try {
      await this.ports.commit(offset);
      this.committed = offset;
      this.uncommitted = undefined;
    } catch (error) {
      // The records were processed; a commit that failed is retried with the next one (or at stop).
      this.uncommitted = offset;
      this.ports.commitFailed(error);
    }
  }
}
