/**
 * Time as the event source emulation sees it: what time it is, and a way to be called back later.
 * Wall time in real runs; tests pass a ManualClock (dspfn/testing) and move it forward themselves,
 * so windows, backoffs and retries are shown step by step instead of by elapsed time.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  /** Calls `fire` once `ms` have passed; returns a function that cancels it. */
  after(ms: number, fire: () => void): () => void;
}

export const wallClock: Clock = {
  now: () => performance.now(),
  after(ms, fire) {
    const timer = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
