interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * A clock that only moves when told: `advance(ms)` fires, in order, every callback that falls due.
 * For tests of timing behaviour (batching windows, retry backoff) without waiting on real time.
 * It is a `Clock` of dspfn/local (declared there; matched by shape, so testing does not import local).
 */
export class ManualClock {
  private time: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fire: () => void): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Callbacks waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** When the next callback falls due (Infinity when none waits). */
  nextDue(): number {
    return this.timers.reduce((min, t) => Math.min(min, t.at), Infinity);
  }

  /** Moves time forward by `ms`, firing each callback that falls due on the way, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fire();
    }
    this.time = end;
  }
}
