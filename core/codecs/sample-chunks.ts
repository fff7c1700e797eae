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
    if (this.used + count > this.chunk.length) {
      this.chunk = new Float32Array(this.chunkSamples);
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + count);
    // A record's few samples by a loop: a view of the source for `set` would cost more than the copy.
    if (count <= 256) for (let i = 0; i < count; i++) view[i] = samples[i]!;
    else view.set(samples.subarray(0, count));
    this.used += count;
    return view;
  }
}
