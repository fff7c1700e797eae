/**
 * One key's samples of one kind (input or output) as they arrive: frames in a growing Float32Array,
 * and their times as segments (one per record: first frame time and spacing), so a 10-million-frame
 * key costs 4 bytes per value and no per-frame time.
 */
export class SignalSeries {
  private values = new Float32Array(1024);
  private length = 0;
  /** Per record: first frame time (epoch ms), ms between frames, first frame index, frame count. */
  readonly segments: Array<{ t0: number; step: number; start: number; frames: number }> = [];
  channels = 0;

  get frames(): number {
    return this.channels === 0 ? 0 : this.length / this.channels;
  }

  /** Appends a record's frames (copied: the caller's buffer may be reused). */
  append(samples: ArrayLike<number>, channels: number, frames: number, timestamp: number, sampleRate: number | undefined): void {
    if (frames === 0 || channels === 0) return;
    // A key whose channel count changes (it should not) keeps its first layout; later records are left out.
    if (this.channels === 0) this.channels = channels;
    if (channels !== this.channels) return;
    const count = frames * channels;
    if (this.length + count > this.values.length) {
      const grown = new Float32Array(Math.max(this.values.length * 2, this.length + count));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    for (let i = 0; i < count; i++) this.values[this.length + i] = samples[i]!;
    // Records without a sample rate are drawn 1 ms per frame.
    this.segments.push({ t0: timestamp, step: sampleRate && sampleRate > 0 ? 1000 / sampleRate : 1, start: this.length / channels, frames });
    this.length += count;
  }

  /** Time span covered: [first frame, last frame]. */
  span(): [number, number] | undefined {
    if (this.segments.length === 0) return undefined;
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.segments) {
      lo = Math.min(lo, s.t0);
      hi = Math.max(hi, s.t0 + (s.frames - 1) * s.step);
    }
    return [lo, hi];
  }

  /** Calls `visit(time, frameIndex)` for every frame, in arrival order. */
  forEachFrame(visit: (time: number, frame: number) => void): void {
    for (const s of this.segments) for (let j = 0; j < s.frames; j++) visit(s.t0 + j * s.step, s.start + j);
  }

  value(frame: number, channel: number): number {
    return this.values[frame * this.channels + channel]!;
  }
}
