/**
 * One key's samples of one kind (input, output, window results) for the report, in bounded memory
 * however long the run. The first `exact` frames are kept as they came (a short key is drawn
 * point for point); past that the series becomes at most `columns` time buckets, each keeping the
 * minimum and maximum per channel. Bucket widths are powers of two milliseconds and a bucket's
 * index is floor(time / width), so when a key's time range outgrows the budget, doubling the width
 * merges buckets pairwise and every bucket still holds exactly the extremes of the frames whose
 * times fall in it (no approximation from the merging).
 */
export class SignalSeries {
  channels = 0;
  /** Frames appended (all of them, whether kept exactly or bucketed). */
  frames = 0;
  private times: Float64Array;
  private values: Float32Array = new Float32Array(0);
  private kept = 0;
  private buckets: Buckets | undefined;
  private lo = Infinity;
  private hi = -Infinity;

  constructor(
    readonly columns: number,
    private readonly exact = 2 * columns,
  ) {
    this.times = new Float64Array(Math.min(exact, 1024));
  }

  /** More frames than are kept exactly: the series is min/max per bucket. */
  get downsampled(): boolean {
    return this.buckets !== undefined;
  }

  /** Appends a record's frames (copied: the caller's buffer may be reused); `step` is the ms between frames. */
  append(samples: ArrayLike<number>, channels: number, frames: number, timestamp: number, step: number): void {
    if (frames === 0 || channels === 0) return;
    // A key whose channel count changes (it should not) keeps its first layout; later records are left out.
    if (this.channels === 0) this.channels = channels;
    if (channels !== this.channels) return;
    this.lo = Math.min(this.lo, timestamp);
    this.hi = Math.max(this.hi, timestamp + (frames - 1) * step);
    this.frames += frames;
    if (this.buckets === undefined) {
      if (this.kept + frames <= this.exact) {
        this.keep(samples, frames, timestamp, step);
        return;
      }
      this.buckets = this.bucketed(step);
    }
    const buckets = this.buckets;
    for (let f = 0; f < frames; f++) buckets.add(timestamp + f * step, samples, f * channels);
  }

  private keep(samples: ArrayLike<number>, frames: number, timestamp: number, step: number): void {
    const channels = this.channels;
    if (this.kept + frames > this.times.length) {
      const size = Math.min(this.exact, Math.max(this.times.length * 2, this.kept + frames));
      const times = new Float64Array(size);
      times.set(this.times.subarray(0, this.kept));
      this.times = times;
    }
    if (this.values.length < this.times.length * channels) {
      const values = new Float32Array(this.times.length * channels);
      values.set(this.values.subarray(0, this.kept * channels));
      this.values = values;
    }
    for (let f = 0; f < frames; f++) this.times[this.kept + f] = timestamp + f * step;
    for (let i = 0; i < frames * channels; i++) this.values[this.kept * channels + i] = samples[i]!;
    this.kept += frames;
  }

  /** The buckets the exact frames (if any) go into; the kept frames are released. */
  private bucketed(step: number): Buckets {
    const buckets = new Buckets(this.columns, this.channels, this.kept > 0 ? (this.hi - this.lo) / this.columns : step);
    for (let f = 0; f < this.kept; f++) buckets.add(this.times[f]!, this.values, f * this.channels);
    this.times = new Float64Array(0);
    this.values = new Float32Array(0);
    this.kept = 0;
    return buckets;
  }

  /** Time span covered: [first frame, last frame]. */
  span(): [number, number] | undefined {
    return this.frames === 0 ? undefined : [this.lo, this.hi];
  }

  /**
   * The points to draw: every frame in time order while the series is exact; otherwise two per
   * bucket (its minimum at its start, its maximum at its middle).
   */
  points(): { x: number[]; y: number[][]; width?: number } {
    const channels = this.channels;
    if (this.buckets === undefined) {
      const order = Array.from({ length: this.kept }, (_, i) => i).sort((a, b) => this.times[a]! - this.times[b]! || a - b);
      return { x: order.map((i) => this.times[i]!), y: Array.from({ length: channels }, (_, c) => order.map((i) => this.values[i * channels + c]!)) };
    }
    return this.buckets.points();
  }

  /** The buckets (for a heat map or a test): the exact frames bucketed on the fly if the series is still exact. */
  columnsView(): Buckets | undefined {
    if (this.frames === 0) return undefined;
    if (this.buckets !== undefined) return this.buckets;
    const buckets = new Buckets(this.columns, this.channels, (this.hi - this.lo) / this.columns);
    for (let f = 0; f < this.kept; f++) buckets.add(this.times[f]!, this.values, f * this.channels);
    return buckets;
  }
}

/** The smallest power of two at least `ms` (within float range), for bucket widths. */
function powerOfTwoAtLeast(ms: number): number {
  return ms > 0 && Number.isFinite(ms) ? 2 ** Math.ceil(Math.log2(ms)) : 2 ** -10;
}

/**
 * At most `columns` buckets of `width` ms (a power of two), from bucket index `base` on: per
 * bucket and channel the minimum and maximum of the frames in it.
 */
export class Buckets {
  width: number;
  /** Absolute index (floor(time / width)) of bucket 0; the first used bucket. */
  base = 0;
  /** Absolute index of the last used bucket. */
  last = 0;
  lo: Float32Array;
  hi: Float32Array;
  used: Uint8Array;
  private empty = true;

  constructor(
    readonly columns: number,
    readonly channels: number,
    width: number,
  ) {
    this.width = powerOfTwoAtLeast(width);
    this.lo = new Float32Array(columns * channels);
    this.hi = new Float32Array(columns * channels);
    this.used = new Uint8Array(columns);
  }

  /** Adds one frame (`values[from … from + channels)`) at `time`. */
  add(time: number, values: ArrayLike<number>, from: number): void {
    let index = Math.floor(time / this.width);
    if (this.empty) {
      this.empty = false;
      this.base = this.last = index;
    } else if (index < this.base || index > this.last) {
      while (Math.max(this.last, index) - Math.min(this.base, index) >= this.columns) {
        this.merge();
        index = Math.floor(time / this.width);
      }
      if (index < this.base) this.shift(this.base - index);
      if (index > this.last) this.last = index;
    }
    const column = index - this.base;
    const at = column * this.channels;
    const { lo, hi } = this;
    if (this.used[column] === 0) {
      this.used[column] = 1;
      for (let c = 0; c < this.channels; c++) lo[at + c] = hi[at + c] = values[from + c]!;
      return;
    }
    for (let c = 0; c < this.channels; c++) {
      const v = values[from + c]!;
      if (v < lo[at + c]!) lo[at + c] = v;
      if (v > hi[at + c]!) hi[at + c] = v;
    }
  }

  /** Moves the buckets `by` columns right, so that bucket 0 is `by` earlier. */
  private shift(by: number): void {
    const channels = this.channels;
    this.used.copyWithin(by, 0, this.columns - by).fill(0, 0, by);
    this.lo.copyWithin(by * channels, 0, (this.columns - by) * channels);
    this.hi.copyWithin(by * channels, 0, (this.columns - by) * channels);
    this.base -= by;
  }

  /** Doubles the width: buckets 2k and 2k+1 become bucket k. */
  private merge(): void {
    const { channels, columns } = this;
    const base = Math.floor(this.base / 2);
    const lo = new Float32Array(columns * channels);
    const hi = new Float32Array(columns * channels);
    const used = new Uint8Array(columns);
    for (let column = 0; column < columns; column++) {
      if (this.used[column] === 0) continue;
      const into = Math.floor((this.base + column) / 2) - base;
      for (let c = 0; c < channels; c++) {
        const a = column * channels + c;
        const b = into * channels + c;
        if (used[into] === 0 || this.lo[a]! < lo[b]!) lo[b] = this.lo[a]!;
        if (used[into] === 0 || this.hi[a]! > hi[b]!) hi[b] = this.hi[a]!;
      }
      used[into] = 1;
    }
    Object.assign(this, { lo, hi, used, base, last: Math.floor(this.last / 2), width: this.width * 2 });
  }

  /** Two points per used bucket: the minimum at its start, the maximum at its middle. */
  points(): { x: number[]; y: number[][]; width: number } {
    const x: number[] = [];
    const y: number[][] = Array.from({ length: this.channels }, () => []);
    for (let column = 0; column <= this.last - this.base; column++) {
      if (this.used[column] === 0) continue;
      const start = (this.base + column) * this.width;
      x.push(start, start + this.width / 2);
      for (let c = 0; c < this.channels; c++) y[c]!.push(this.lo[column * this.channels + c]!, this.hi[column * this.channels + c]!);
    }
    return { x, y, width: this.width };
  }
}
