/**
 * Copies of sample blocks carved from shared chunks: one ArrayBuffer per 64 Ki samples instead of
 * one per record, which is most of what a batch of JSON records would otherwise give the garbage
 * collector. A chunk is never written again once a view of it is handed out: each copy stays as
 * it was for as long as anyone holds it (and keeps its 256 KiB chunk alive).
 */
export class SampleChunks {
  private chunk = new Float32Array(0);
  private used = 0;

  constructor(private readonly chunkSamples = 64 * 1024) {}

  /** samples[0 … count) in memory of its own. */
  copy(samples: Float32Array, count: number): Float32Array {
    // A block larger than a quarter chunk gets its own array, so chunks are not left mostly empty.
    if (count > this.chunkSamples >> 2) return samples.slice(0, count);
    // Less room left than this block (at most a quarter chunk) is less than a quarter chunk: renew() gives a new one.
    if (this.used + count > this.chunk.length) this.renew();
    const { chunk, used } = this;
    // A record's few samples by a loop: a view of the source for `set` would cost more than the copy.
    if (count <= 256) for (let i = 0; i < count; i++) chunk[used + i] = samples[i]!;
    else chunk.set(samples.subarray(0, count), used);
    return this.take(count);
  }

  /** Where a reader that writes a block in place puts it: target[at … target.length), then take(count). */
  get target(): Float32Array {
    return this.chunk;
  }

  get at(): number {
    return this.used;
  }

  /**
   * A new chunk when the current one has room for less than a quarter chunk (a block that did not
   * fit may fit a new one); false when it has more (a block that did not fit gets an array of its own).
   */
  renew(): boolean {
    if (this.chunk.length !== 0 && this.chunk.length - this.used >= this.chunkSamples >> 2) return false;
    this.chunk = uninitialised(this.chunkSamples);
    this.used = 0;
    return true;
  }

  /**
   * For a reader that writes many blocks in place, one after another from target[at …]: from now
   * on, blocks go from target[at] on (those written before it are handed out with viewAt, the
   * others are never handed out).
   */
  skipTo(at: number): void {
    this.used = at;
  }

  /** take() of a block written at target[at …] before skipTo(): it leaves `at` where it is. */
  viewAt(at: number, count: number): Float32Array {
    const { chunk } = this;
    if (count > this.chunkSamples >> 2) return chunk.slice(at, at + count);
    return new Float32Array(chunk.buffer, chunk.byteOffset + at * Float32Array.BYTES_PER_ELEMENT, count);
  }

  /** The `count` samples written at target[at …] as a block, on the terms of copy(). */
  take(count: number): Float32Array {
    const { chunk, used } = this;
    if (count > this.chunkSamples >> 2) return chunk.slice(used, used + count);
    // The constructor rather than subarray, which looks its species constructor up (~17 vs ~28 ns).
    const view = new Float32Array(chunk.buffer, chunk.byteOffset + used * Float32Array.BYTES_PER_ELEMENT, count);
    this.used = used + count;
    return view;
  }
}

/**
 * A chunk without the zero fill (~3 instead of ~20 µs for 256 KiB, once per 1,024 records of 64
 * samples): only samples written into it are ever handed out, by copy() and take().
 */
function uninitialised(samples: number): Float32Array<ArrayBuffer> {
  const bytes = Buffer.allocUnsafeSlow(samples * Float32Array.BYTES_PER_ELEMENT);
  // An ArrayBuffer of its own (allocUnsafeSlow: not the shared pool), never a SharedArrayBuffer.
  return new Float32Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, samples);
}
