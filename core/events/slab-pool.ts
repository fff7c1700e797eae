/**
 * Memory for an event's decoded keys and values (KeyedBase64Slab) that the next event may use
 * again. A fresh multi-megabyte slab per batch is external memory V8 answers with full garbage
 * collections and the kernel with page faults; reusing one is only safe when nothing can still
 * hold a view of it after its batch, so the handler leases from a pool only for functions whose
 * records no user code sees (see PreparedFunction.reusesEventMemory) and copies a dead letter's
 * bytes out of it.
 *
 * A lease hands out the pooled buffer when it is free and large enough, else a new one; its
 * release makes its buffer the pooled one (up to `maxBytes`). Two batches in flight at once each
 * get their own memory: the one that finds the pool leased allocates.
 */
export class SlabPool {
  private free: Buffer | undefined;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  lease(): SlabLease {
    return new SlabLease(this);
  }

  /** The pooled buffer, if it holds `bytes`; it is the caller's until `give` returns it. */
  take(bytes: number): Buffer | undefined {
    const buffer = this.free;
    if (buffer === undefined || buffer.length < bytes) return undefined;
    this.free = undefined;
    return buffer;
  }

  /** Back to the pool (the larger buffer stays when another was returned meanwhile). */
  give(buffer: Buffer): void {
    if (buffer.length > this.maxBytes) return;
    if (this.free === undefined || this.free.length < buffer.length) this.free = buffer;
  }
}

/** One batch's use of a SlabPool: `allocate` at most once, `release` when nothing reads the memory any more. */
export class SlabLease {
  private buffer: Buffer | undefined;
  private released = false;

  constructor(private readonly pool: SlabPool) {}

  /** At least `bytes` of uninitialised memory: the pool's if free and large enough. */
  allocate(bytes: number): Buffer {
    if (this.buffer !== undefined || this.released) throw new Error('a slab lease allocates once, before its release');
    this.buffer = this.pool.take(bytes) ?? Buffer.allocUnsafeSlow(bytes);
    return this.buffer;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.buffer !== undefined) this.pool.give(this.buffer);
    this.buffer = undefined;
  }
}
