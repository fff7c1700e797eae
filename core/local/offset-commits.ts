export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume. */
  offset: number;
}

interface Pending extends PartitionOffset {
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * A consumer's offset commits in as few requests as they can go, one request in flight at a time.
 * The commits asked for in one turn of the event loop go together (the partitions whose batches one
 * produce request acknowledged finish in the same turn), and those asked for while a request is in
 * flight go together in the next, each partition at its highest offset. A commit is settled by
 * the request that carried it: resolved once the broker answered, rejected with its error.
 *
 * Why: the broker handles one request per connection at a time, and the group coordinator shares
 * the consumer's connection with its fetches; one OffsetCommit per partition per batch (six for
 * every produce acknowledged, at six partitions) held up the fetches behind them and cost the
 * client and the broker a request each.
 */
export class OffsetCommits {
  private pending = new Map<string, Pending>();
  private scheduled = false;
  private inFlight = false;

  constructor(
    private readonly send: (offsets: PartitionOffset[]) => Promise<void>,
    /** Runs the next request after the current turn's commits are in (setImmediate by default). */
    private readonly defer: (run: () => void) => void = (run) => void setImmediate(run),
  ) {}

  /** Commits `offset` as the partition's next offset; settles with the request that carries it. */
  commit(topic: string, partition: number, offset: number): Promise<void> {
    const id = `${topic}-${partition}`;
    let entry = this.pending.get(id);
    if (entry === undefined) this.pending.set(id, (entry = { topic, partition, offset, waiters: [] }));
    else entry.offset = Math.max(entry.offset, offset);
    const waiters = entry.waiters;
    const settled = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    this.schedule();
    return settled;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight || this.pending.size === 0) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.pending.size === 0) return;
    this.inFlight = true;
    const taken = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.send(taken.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      for (const entry of taken) for (const waiter of entry.waiters) waiter.resolve();
    } catch (error) {
      for (const entry of taken) for (const waiter of entry.waiters) waiter.reject(error);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }
}
