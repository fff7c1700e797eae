/**
 * The first sample that is not a finite float32 (NaN, ±Infinity), or -1: the decode step's check of
 * every record's samples. The native layer's scan (layers/dsp/src/binding/samples.c, registered by
 * the native backend like the JSON routines) reads the bits with vector instructions; without it
 * the TypeScript check below does the same.
 */
export interface NativeSampleChecks {
  firstNonFinite(values: Float32Array): number;
}

let native: NativeSampleChecks | undefined;

/** Registers (or with undefined, removes) the native scan for the process. */
export function useNativeSampleChecks(checks: NativeSampleChecks | undefined): void {
  native = checks;
}

/** Below this many samples a call into the native layer costs more than the TypeScript loop. */
const NATIVE_FROM = 64;

export function firstNonFinite(x: Float32Array): number {
  if (native !== undefined && x.length >= NATIVE_FROM) return native.firstNonFinite(x);
  if (allFinite(x)) return -1;
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

/**
 * Whether every sample is finite: x·0 is 0 for a finite x and NaN for NaN or ±Infinity, so four
 * running sums of it stay 0 exactly when all are. No branch per sample, and the four sums keep
 * the adds independent (about 3× the speed of a Number.isFinite loop).
 */
export function allFinite(x: Float32Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = x.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i]! * 0;
    s1 += x[i + 1]! * 0;
    s2 += x[i + 2]! * 0;
    s3 += x[i + 3]! * 0;
  }
  for (; i < n; i++) s0 += x[i]! * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/**
 * Memory scanned once, on first use, for samples that are not finite: when it holds none, any
 * float32 view inside it needs no check of its own. One scan of a batch's decoded values instead of
 * a native call per record. What lies outside the memory, or off its 4-byte grid, is not vouched for.
 */
export class FiniteMemory {
  private finite: boolean | undefined;

  constructor(private readonly memory: Uint8Array | undefined) {}

  /** Whether every sample of `x` is known finite without looking at it. */
  vouchesFor(x: Float32Array): boolean {
    const memory = this.memory;
    if (memory === undefined || x.buffer !== memory.buffer) return false;
    const from = x.byteOffset - memory.byteOffset;
    if (from < 0 || from % 4 !== 0 || from + x.byteLength > memory.byteLength) return false;
    this.finite ??= memory.byteOffset % 4 === 0 && firstNonFinite(new Float32Array(memory.buffer, memory.byteOffset, memory.byteLength >>> 2)) < 0;
    return this.finite;
  }
}
