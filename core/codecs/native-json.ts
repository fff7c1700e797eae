/**
 * The native layer's JSON number routines (layers/dsp/src/json/f32_format.c, f32_parse.c): the same text and
 * the same float32 values as the TypeScript writer and reader, from portable C (one path on every
 * CPU), for their common case; anything else they hand back. The native backend registers them
 * when it is created (core/dsp/native/loader.ts); without it the TypeScript code does all the work.
 */
export interface NativeJsonText {
  /**
   * Writes values[from] … at out[at] (a comma before each of index > 0) and returns the position
   * after them. At a value outside 1e-13 … 1e21 in magnitude it stops, puts the value's index in
   * state[0] and returns -1 - the position after those before it (state is touched only then).
   * The caller reserves 25 bytes per value.
   */
  formatF32(values: Float32Array, out: Uint8Array, at: number, from: number, state: Float64Array): number;
  /**
   * Reads the JSON number array from bytes[start] (after its '[') to its first ']' at bytes[close]
   * into out; returns the count, -2 when out is too short (grow it, call again), or -1 for
   * anything but plain numbers within the fast paths (the reference reader then reads it, and
   * words any error).
   */
  parseF32(bytes: Uint8Array, start: number, close: number, out: Float32Array): number;
  /**
   * A record's flat JSON envelope in one call (layers/dsp/src/json/flat_envelope.h): the sample
   * array into out[frame[0] …], the wanted fields' kinds and value bounds into the frame
   * (flat-envelope.ts lays it out). Returns the count, -2 when the samples do not fit, or -1 for
   * anything the TypeScript code must read. Absent from native layers built before it.
   */
  readFlatEnvelope?(bytes: Uint8Array, out: Float32Array, frame: Int32Array): number;
  /**
   * readFlatEnvelope for many records in one call: record r is memory[spans[2r] … spans[2r + 1]),
   * its samples after the previous records' (from out[frame[0]]), its count, where its samples
   * start and its fields' slots in results (2 + 3 · wanted words a record). Returns how many
   * records it read: it stops before one whose samples do not fit; frame[0] is then where the
   * next would go. Absent from native layers built before it.
   */
  readFlatEnvelopes?(memory: Uint8Array, spans: Int32Array, out: Float32Array, frame: Int32Array, results: Int32Array): number;
}

let active: NativeJsonText | undefined;

/** Registers (or with undefined, removes) the native routines for every writer and reader of the process. */
export function useNativeJsonText(native: NativeJsonText | undefined): void {
  active = native;
}

export function nativeJsonText(): NativeJsonText | undefined {
  return active;
}
