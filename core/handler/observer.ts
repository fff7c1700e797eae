/**
 * Sees every applied record's input and output samples, for tools that show signals (`dspfn
 * replay --report`). Absent in production: the handler then pays one undefined check per record.
 * The arrays are only valid during the call (the native backend reuses its buffers): copy what
 * you keep.
 */
export interface SignalObserver {
  /** A record's input frames (interleaved `channels`), the first at `timestamp` (epoch ms). */
  input(key: string, samples: Float32Array | readonly number[], channels: number, timestamp: number, sampleRate: number | undefined): void;
  /** The output frames the record produced (interleaved `channels`; a spectrum per frame for spectral stages). */
  output(key: string, samples: Float32Array, channels: number, frames: number, timestamp: number, sampleRate: number | undefined): void;
}
