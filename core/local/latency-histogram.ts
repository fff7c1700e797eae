/**
 * Latencies in fixed buckets, so recording is O(1) and a percentile is one pass over a few
 * thousand counters however long the run: exact to the millisecond below EXACT_MS, then 64 buckets
 * per doubling (within 1.6 % of the true value) up to about 2^31 ms.
 */
const EXACT_MS = 1024;
const SUB_BUCKETS = 64;
const OCTAVES = 22; // 2^10 .. 2^32 ms
const BUCKETS = EXACT_MS + OCTAVES * SUB_BUCKETS;

function bucketOf(ms: number): number {
  if (ms < EXACT_MS) return ms < 0 ? 0 : Math.floor(ms);
  if (ms >= 2 ** (OCTAVES + 10)) return BUCKETS - 1;
  // ⌊log2 ms⌋ from the integer part's leading zeros (powers of two are integers): no Math.log2 per record.
  const octave = 31 - Math.clz32(Math.floor(ms)) - 10;
  const base = 2 ** (octave + 10);
  return EXACT_MS + octave * SUB_BUCKETS + Math.floor(((ms - base) / base) * SUB_BUCKETS);
}

/** The smallest latency a bucket holds. */
function lowerBound(bucket: number): number {
  if (bucket < EXACT_MS) return bucket;
  const octave = Math.floor((bucket - EXACT_MS) / SUB_BUCKETS);
  const base = 2 ** (octave + 10);
  return base + ((bucket - EXACT_MS - octave * SUB_BUCKETS) / SUB_BUCKETS) * base;
}

/**
 * Buckets summed per block of BLOCK, so a percentile walks the blocks and then one block's buckets
 * (~100 counters) rather than up to all 2,432: `consume`'s stats() reads eight percentiles, and a
 * caller may poll it often (the benches every 10 ms).
 */
const BLOCK = 64;
const BLOCKS = Math.ceil(BUCKETS / BLOCK);

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private readonly blocks = new Float64Array(BLOCKS);
  private total = 0;

  get count(): number {
    return this.total;
  }

  /** `times` latencies of `ms` (a run of records with the same timestamp or arrival). */
  record(ms: number, times = 1): void {
    const bucket = bucketOf(ms);
    this.counts[bucket]! += times;
    this.blocks[(bucket / BLOCK) | 0]! += times;
    this.total += times;
  }

  /**
   * Nearest-rank percentile (p in 0..100): exact for latencies under a second, else the lower
   * bound of the bucket it falls in. 0 when nothing was recorded.
   */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.min(this.total, Math.max(1, Math.ceil((p / 100) * this.total)));
    let seen = 0;
    let block = 0;
    while (block < BLOCKS - 1 && seen + this.blocks[block]! < rank) seen += this.blocks[block++]!;
    const end = Math.min(BUCKETS, (block + 1) * BLOCK);
    for (let b = block * BLOCK; b < end; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return lowerBound(b);
    }
    return lowerBound(BUCKETS - 1);
  }
}
