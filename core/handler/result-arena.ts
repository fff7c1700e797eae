/**
 * The memory of the result arena (message-values.ts): the 256 KiB chunks its JsonWriter writes
 * result JSON into, one after the other, each result handed out as a view. A fresh chunk every
 * 256 KiB was ~700 bytes of new ArrayBuffer memory per sensor-rms result, and V8 runs a
 * young-generation collection ("external memory pressure") each time such memory reaches 32 MiB.
 *
 * A chunk is used again only once nothing can read the views it handed out: every one of them was
 * written for a batch (a lease) whose sink has since said it is done with them (`release`), and
 * the writer has moved on to another chunk. A view handed out outside a lease (windows, ticks,
 * tests calling messageValue) keeps its chunk out of the pool for good; a lease never released (a
 * failed batch, a sink that may keep its messages) keeps its chunks out too: they are left to the
 * garbage collector, as every chunk was before.
 */
export class ResultArena {
  private current: Chunk | undefined;
  private readonly free: Buffer[] = [];
  /** The lease whose results are being written now (a batch writes its results synchronously). */
  private active: ResultLease | undefined;

  constructor(
    readonly chunkBytes: number,
    /** Chunks kept for reuse at most (what results waiting for acknowledgements take, with room). */
    private readonly maxFree = 32,
  ) {}

  /** The JsonWriter's allocator: a pooled chunk when one is free and large enough, else a new buffer. */
  readonly allocate = (bytes: number): Buffer => {
    const buffer = (bytes <= this.chunkBytes ? this.free.pop() : undefined) ?? Buffer.allocUnsafeSlow(Math.max(bytes, this.chunkBytes));
    const previous = this.current;
    this.current = { buffer, pins: 0, kept: false };
    if (previous !== undefined) this.recycle(previous);
    return buffer;
  };

  /** A batch's claim on the chunks its results are written into (see `writing`). */
  lease(): ResultLease {
    return new ResultLease(this);
  }

  /** Runs `write` (a batch's results written synchronously) with `lease` claiming what it hands out. */
  writing<T>(lease: ResultLease | undefined, write: () => T): T {
    if (lease === undefined) return write();
    this.active = lease;
    try {
      return write();
    } finally {
      this.active = undefined;
    }
  }

  /** Called after each view the writer hands out: its chunk is claimed by the lease being written, or kept for good. */
  handedOut(): void {
    const chunk = this.current!;
    const lease = this.active;
    if (lease === undefined || lease.released) chunk.kept = true;
    else if (lease.last !== chunk) {
      lease.last = chunk;
      lease.chunks.push(chunk);
      chunk.pins++;
    }
  }

  /** Chunks free for reuse now (tests, diagnostics). */
  get freeChunks(): number {
    return this.free.length;
  }

  /** @internal A lease let go of `chunk`. */
  unpin(chunk: Chunk): void {
    chunk.pins--;
    if (chunk !== this.current) this.recycle(chunk);
  }

  private recycle(chunk: Chunk): void {
    if (chunk.pins > 0 || chunk.kept || chunk.buffer.length !== this.chunkBytes || this.free.length >= this.maxFree) return;
    // Once: a chunk leaves the bookkeeping when it goes back to the pool.
    chunk.kept = true;
    this.free.push(chunk.buffer);
  }
}

interface Chunk {
  readonly buffer: Buffer;
  /** Leases whose views it holds that have not been released. */
  pins: number;
  /** Holds a view nobody will release (or went back to the pool already): never reused through this record. */
  kept: boolean;
}

/** One batch's chunks: `release` once nothing reads the batch's results any more. */
export class ResultLease {
  /** @internal */
  readonly chunks: Chunk[] = [];
  /** @internal The chunk claimed last (a batch's results run through its chunks in order). */
  last: Chunk | undefined;
  released = false;

  constructor(private readonly arena: ResultArena) {}

  /** Only once the sink is done with every view written under this lease (send resolved, for a sink that keeps nothing). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const chunk of this.chunks) this.arena.unpin(chunk);
    this.chunks.length = 0;
    this.last = undefined;
  }
}
