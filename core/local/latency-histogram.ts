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

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;

  get count(): number {
    return this.total;
  }

  /** `times` latencies of `ms` (a run of records with the same timestamp or arrival). */
  record(ms: number, times = 1): void {
    this.counts[bucketOf(ms)]! += times;
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
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return lowerBound(b);
    }
    return lowerBound(BUCKETS - 1);
  }
}
