import assert from 'node:assert/strict';
import { DspfnError, SnapshotError } from '../../core/errors.ts';
import { mulberry32 } from '../../core/testing/random.ts';
import type { SimdPath } from '../../core/dsp/native/simd.ts';
import type { AnyStageDescriptor } from '../../core/dsp/stages/descriptor.ts';
import type { StageKernel } from '../../core/dsp/stages/kernel.ts';
import { LENGTHS } from './cases.ts';

/** Words written after every output buffer; a kernel must leave them alone. */
const GUARD = 16;
const GUARD_BITS = 0x7f7f_a5a5; // a finite float32 no test signal makes

/** A buffer of `samples` plus GUARD words, every word set to the guard pattern. */
function guarded(samples: number): Float32Array {
  const buffer = new Float32Array(samples + GUARD);
  new Uint32Array(buffer.buffer).fill(GUARD_BITS);
  return buffer;
}

/** Every word from `from` on still holds the guard pattern. */
function assertGuard(buffer: Float32Array, from: number, what: string): void {
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.length);
  for (let i = from; i < words.length; i++) {
    if (words[i] !== GUARD_BITS) {
      const where = i >= words.length - GUARD ? `word ${i - (words.length - GUARD)} after the buffer` : `sample ${i}, past the ${from} it reported`;
      assert.fail(`${what}: wrote ${where}`);
    }
  }
}

/** Output samples of `frames` input frames when a kernel may write up to maxOutputFrames. */
function capacity(kernel: StageKernel, inFrames: number): number {
  return kernel.maxOutputFrames(inFrames) * kernel.outChannels;
}

/** The whole input in one call. */
export function runWhole(kernel: StageKernel, input: Float32Array): Float32Array {
  const frames = input.length / kernel.inChannels;
  const most = kernel.maxOutputFrames(frames); // before the call: it may depend on the state
  const output = new Float32Array(most * kernel.outChannels);
  const written = kernel.process(input, output);
  assert.ok(written >= 0 && written <= most, `wrote ${written} frames, at most ${most} allowed`);
  return output.subarray(0, written * kernel.outChannels);
}

export interface ChunkOptions {
  /** Call lengths in frames, in turn (default LENGTHS); the input must hold their sum. */
  readonly lengths?: readonly number[];
  /** Output written over the input (same memory), when the stage allows it. */
  readonly inPlace?: boolean;
  readonly what: string;
  /** Filled with each call's first input frame (in the stream), first output offset and frames written. */
  readonly calls?: CallRecord[];
}

export interface CallRecord {
  readonly start: number;
  readonly offset: number;
  readonly written: number;
  /** Event stages: the call's input frames, its first input index and its events' indices, as the kernel reported them. */
  readonly events?: { readonly frames: number; readonly first: number; readonly indices: readonly number[] };
}

/** An event stage's report of its last call (undefined for other stages). */
export function eventReport(kernel: StageKernel, frames: number): CallRecord['events'] {
  if (!kernel.eventIndices) return undefined;
  return { frames, first: kernel.firstInputIndex!(), indices: Array.from(kernel.eventIndices()) };
}

/** The events' indices of a kernel's last call ([] for stages that are not event stages). */
export function eventIndicesOf(kernel: StageKernel): number[] {
  return kernel.eventIndices ? Array.from(kernel.eventIndices()) : [];
}

/**
 * The input in calls of the given lengths, each into a fresh buffer with guard words after it (and
 * after the room it reported, so writing past `written` frames is caught too); the outputs joined.
 */
export function runChunks(kernel: StageKernel, input: Float32Array, options: ChunkOptions): Float32Array {
  const lengths = options.lengths ?? LENGTHS;
  const parts: Float32Array[] = [];
  let at = 0;
  for (const frames of lengths) {
    const chunk = input.subarray(at * kernel.inChannels, (at + frames) * kernel.inChannels);
    at += frames;
    const most = kernel.maxOutputFrames(frames);
    const room = most * kernel.outChannels;
    let written: number;
    let output: Float32Array;
    // In place only where this call's output fits in its input (a rate-changing stage's may not).
    if (options.inPlace && room <= chunk.length) {
      const buffer = guarded(Math.max(chunk.length, room));
      buffer.set(chunk);
      written = kernel.process(buffer.subarray(0, chunk.length), buffer);
      assertGuard(buffer, Math.max(chunk.length, written * kernel.outChannels), `${options.what} in place, call of ${frames}`);
      output = buffer;
    } else {
      output = guarded(room);
      written = kernel.process(chunk, output);
      assertGuard(output, written * kernel.outChannels, `${options.what}, call of ${frames}`);
    }
    assert.ok(written >= 0 && written <= most, `${options.what}: wrote ${written} of at most ${most} frames`);
    const events = eventReport(kernel, frames);
    options.calls?.push({ start: at - frames, offset: kernel.firstOutputOffset?.() ?? 0, written, ...(events ? { events } : {}) });
    parts.push(output.slice(0, written * kernel.outChannels));
  }
  assert.equal(at * kernel.inChannels, input.length, 'the lengths cover the input');
  const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Whether outputs may be written over the input: the stage allows it and they are never longer than it. */
export function allowsInPlace(descriptor: AnyStageDescriptor, kernel: StageKernel, frames: number): boolean {
  return descriptor.inPlace !== false && capacity(kernel, frames) <= frames * kernel.inChannels;
}

/** Split points for 2 and 3 calls (frames), reproducible from a seed. */
export function splits(frames: number, seed: number): number[][] {
  const random = mulberry32(seed);
  const point = () => 1 + Math.floor(random() * Math.max(1, frames - 1));
  const a = Math.min(point(), frames);
  const [b, c] = [point(), point()].sort((x, y) => x - y);
  return [
    [a, frames - a],
    [b!, c! - b!, frames - c!],
  ];
}

/**
 * Where each output frame lies in the input stream, in input frames: a call's first output frame
 * at its start + firstOutputOffset, the next ones `down/up` input frames apart (rate-changing stages).
 * Output frames lie on the grid of 1/up input frames; positions are counted on it (whole numbers,
 * then divided by up), so a frame a split stream puts at 5 + 1/3 compares equal to the whole
 * stream's 16/3, which float64 sums of thirds would not. A first frame off the grid fails. Event
 * stages: each event's index (they must report one per event, each at most one frame before the
 * call and within it, and the call's first input index where the call starts).
 */
export function framePositions(descriptor: AnyStageDescriptor, params: object, calls: readonly CallRecord[]): number[] {
  if (descriptor.rate.kind === 'events') {
    return calls.flatMap(({ start, written, events }) => {
      assert.ok(events !== undefined, `${descriptor.name}: an event stage reports its events' indices`);
      assert.equal(events.indices.length, written, `${descriptor.name}: one index per event frame`);
      if (events.frames > 0) assert.equal(events.first, start, `${descriptor.name}: the call's first input index`);
      for (const index of events.indices) {
        assert.ok(Number.isInteger(index) && index >= start - 1 && index < start + events.frames, `${descriptor.name}: event index ${index} outside the call [${start}, ${start + events.frames})`);
      }
      return events.indices;
    });
  }
  if (descriptor.rate.kind !== 'ratio') return [];
  const { up, down } = descriptor.rate.ratio(params);
  return calls.flatMap(({ start, offset, written }) => {
    if (written === 0) return [];
    const steps = (start + offset) * up;
    const first = Math.round(steps);
    if (!(Math.abs(steps - first) <= 1e-6)) assert.fail(`first output frame of a call at input frame ${start} + ${offset}: not a multiple of 1/${up}`);
    return Array.from({ length: written }, (_, j) => (first + j * down) / up);
  });
}

/** The output frames of a split stream lie where the whole stream's do. */
export function assertSamePositions(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} timed frames, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}: output frame ${i} lies at input frame ${actual[i]}, the whole stream puts it at ${expected[i]}`);
  }
}

/**
 * A definition's output as the kernel writes it: frames, and for an event stage (rows of
 * `[index, channel, code, value]`) the frames `[channel, code, value]` and the indices apart.
 */
export function definitionOutput(descriptor: AnyStageDescriptor, definition: Float64Array): { frames: Float64Array; indices: number[] } {
  if (descriptor.rate.kind !== 'events') return { frames: definition, indices: [] };
  const rows = definition.length / 4;
  const frames = new Float64Array(rows * 3);
  const indices: number[] = [];
  for (let r = 0; r < rows; r++) {
    indices.push(definition[r * 4]!);
    frames.set(definition.subarray(r * 4 + 1, r * 4 + 4), r * 3);
  }
  return { frames, indices };
}

export function assertSameSamples(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} output samples, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: not bit-identical, first at sample ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: snapshot of ${actual.length} bytes, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}: snapshot bytes differ first at byte ${i} of ${expected.length}`);
  }
}

/** Whether a native path owes this stage's outputs and snapshots bit for bit. */
export function isExactOn(descriptor: AnyStageDescriptor, path: SimdPath): boolean {
  const e = descriptor.exactness;
  return e.kind === 'bit-exact' || e.exactPaths.includes(path);
}

/** A native path's output against TypeScript's: bit for bit, or within the stage's stated bound. */
export function assertNativeOutput(
  descriptor: AnyStageDescriptor,
  path: SimdPath,
  actual: Float32Array,
  expected: Float32Array,
  input: Float32Array,
  channels: number,
  what: string,
): number {
  const e = descriptor.exactness;
  if (e.kind === 'bit-exact' || e.exactPaths.includes(path)) {
    assertSameSamples(actual, expected, what);
    return 0;
  }
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = e.scale(input, channels);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const diff = Math.abs(a - b);
    if (!(diff <= e.bound * scale)) assert.fail(`${what}: sample ${i} is ${a}, TypeScript ${b}: beyond ${e.bound} × ${e.scaleDoc} (${scale})`);
    if (scale > 0) worst = Math.max(worst, diff / scale);
  }
  return worst;
}

/**
 * |kernel − definition| ≤ bound × (|definition| + scale) + 2⁻¹⁴⁹, NaN only where NaN; scale is peak
 * |input| unless the stage gives its own (StageReference.definitionScale).
 */
export function assertDefinition(actual: Float32Array, definition: Float64Array, input: Float32Array, bound: number, what: string, scale?: number): void {
  assert.equal(actual.length, definition.length, `${what}: ${actual.length} outputs, the definition has ${definition.length}`);
  let peak = 0;
  if (scale !== undefined) peak = scale;
  else for (let i = 0; i < input.length; i++) peak = Math.max(peak, Math.abs(input[i]!));
  for (let i = 0; i < definition.length; i++) {
    const a = actual[i]!;
    const d = definition[i]!;
    if (Number.isNaN(a) || Number.isNaN(d)) {
      if (Number.isNaN(a) !== Number.isNaN(d)) assert.fail(`${what}: sample ${i} is ${a}, the definition gives ${d}`);
      continue;
    }
    if (a === d) continue;
    if (!(Math.abs(a - d) <= bound * (Math.abs(d) + peak) + 2 ** -149)) {
      assert.fail(`${what}: sample ${i} is ${a}, the float64 definition gives ${d} (bound ${bound} × (|def| + scale ${peak}))`);
    }
  }
}

export function captureError(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * Damaged and foreign states are refused with SnapshotError, and a refused restore leaves the
 * kernel as it was: it continues exactly like a twin that was never offered the bad bytes.
 */
export function checkRefusals(
  make: () => StageKernel,
  prefix: Float32Array,
  rest: Float32Array,
  foreign: readonly Uint8Array[],
  what: string,
): void {
  const kernel = make();
  const twin = make();
  runWhole(kernel, prefix);
  runWhole(twin, prefix);
  const good = kernel.snapshot();
  const bad: Array<[string, Uint8Array]> = [
    ['one more byte', Uint8Array.from([...good, 0])],
    ...foreign.map((state, i): [string, Uint8Array] => [`foreign state ${i}`, state]),
  ];
  if (good.length > 0) {
    bad.push(['truncated by one byte', good.slice(0, good.length - 1)], ['truncated to half', good.slice(0, good.length >> 1)], ['empty', new Uint8Array(0)]);
  }
  for (const [name, state] of bad) {
    const error = captureError(() => kernel.restore(state));
    assert.ok(error instanceof SnapshotError, `${what}: ${name} must be refused with SnapshotError, got ${String(error)}`);
  }
  assertSameSamples(runWhole(kernel, rest), runWhole(twin, rest), `${what}: after refused restores`);
  assertSameBytes(kernel.snapshot(), twin.snapshot(), `${what}: state after refused restores`);
}

/**
 * Random damage to a good state (bit flips, overwritten bytes, cut or grown lengths): restore either
 * accepts it or throws a dspfn error (never a TypeError, RangeError or a crash), and a kernel that
 * accepted it still processes without writing past its output.
 */
export function fuzzRestore(make: () => StageKernel, prefix: Float32Array, probe: Float32Array, rounds: number, seed: number, what: string): void {
  const source = make();
  runWhole(source, prefix);
  const good = source.snapshot();
  const random = mulberry32(seed);
  for (let round = 0; round < rounds; round++) {
    let state = good.slice();
    const kind = round % 4;
    if (kind === 0 && state.length > 0) {
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
        const at = Math.floor(random() * state.length);
        state[at] = state[at]! ^ (1 << Math.floor(random() * 8));
      }
    } else if (kind === 1 && state.length > 0) {
      const at = Math.floor(random() * state.length);
      state.fill(Math.floor(random() * 256), at, Math.min(state.length, at + 1 + Math.floor(random() * 8)));
    } else if (kind === 2) {
      state = state.slice(0, Math.floor(random() * (state.length + 1)));
    } else {
      state = Uint8Array.from({ length: Math.floor(random() * (state.length + 16)) }, () => Math.floor(random() * 256));
    }
    const kernel = make();
    const error = captureError(() => kernel.restore(state));
    if (error !== undefined) {
      assert.ok(error instanceof DspfnError, `${what}: fuzzed restore ${round} threw ${String(error)}, not a dspfn error`);
      continue;
    }
    const error2 = captureError(() => runChunks(kernel, probe, { lengths: [probe.length / kernel.inChannels], what: `${what} after fuzzed restore ${round}` }));
    if (error2 !== undefined && !(error2 instanceof DspfnError)) {
      throw error2;
    }
  }
}
