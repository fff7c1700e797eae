/**
 * Sees every applied record's input and output samples, and the windows that closed, for tools
 * that show signals (`dspfn replay --report`). Absent in production: the handler then pays one
 * undefined check per record. The arrays are only valid during the call (the native backend
 * reuses its buffers): copy what you keep.
 */
export interface SignalObserver {
  /** A record's input frames (interleaved `channels`), the first at `timestamp` (epoch ms). */
  input(key: string, samples: Float32Array | readonly number[], channels: number, timestamp: number, sampleRate: number | undefined): void;
  /** The output frames the record produced (interleaved `channels`; a spectrum per frame for spectral stages). */
  output(key: string, samples: Float32Array, channels: number, frames: number, timestamp: number, sampleRate: number | undefined): void;
  /**
   * A window that closed, once its batch's messages were produced (a batch that fails and is run
   * again reports it once): [start, end) in epoch ms and the function's aggregates per channel.
   */
  window(key: string, start: number, end: number, channels: ReadonlyArray<Readonly<Record<string, number | undefined>>>): void;
}

/**
 * Holds what a batch shows its observer until the batch succeeded (`flush()` after its commit),
 * so a batch that fails and is run again is shown once. Copies the arrays it holds.
 */
export class DeferredObserver implements SignalObserver {
  private calls: Array<(target: SignalObserver) => void> = [];

  constructor(private readonly target: SignalObserver) {}

  input(key: string, samples: Float32Array | readonly number[], channels: number, timestamp: number, sampleRate: number | undefined): void {
    const copy = Float32Array.from(samples);
    this.calls.push((target) => target.input(key, copy, channels, timestamp, sampleRate));
  }

  output(key: string, samples: Float32Array, channels: number, frames: number, timestamp: number, sampleRate: number | undefined): void {
    const copy = samples.slice(0, frames * channels);
    this.calls.push((target) => target.output(key, copy, channels, frames, timestamp, sampleRate));
  }

  window(key: string, start: number, end: number, channels: ReadonlyArray<Readonly<Record<string, number | undefined>>>): void {
    this.calls.push((target) => target.window(key, start, end, channels));
  }

  flush(): void {
    const calls = this.calls;
    this.calls = [];
    for (const call of calls) call(this.target);
  }
}
