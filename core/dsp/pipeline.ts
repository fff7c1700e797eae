import * as z from 'zod';
import { ConfigError, DspfnError, InvalidSamplesError, NativeKernelError, SnapshotError, StateMismatchError } from '../errors.ts';
import { zodReason } from '../validation.ts';
import { getDefaultBackend, type DspBackend } from './backend.ts';
import { fnv1a64 } from './config-hash.ts';
import { appendStageState, decodeSnapshot, encodeSnapshot, writeSnapshotHead, writeStageState, type AbsorbedOffset, type StageState } from './snapshot.ts';
import type { ByteWriter } from './bytes.ts';
import { catalogue, descriptorOf, kindOf, type StageName, type StageOptions, type StageSpec } from './stages/catalogue.ts';
import { EVENT_FRAME, type AnyStageDescriptor } from './stages/descriptor.ts';
import type { StageKernel } from './stages/kernel.ts';
import { EVENT_CLOCK_BYTES, EventClock } from './event-clock.ts';
import { stageOutputTiming, type BlockTiming } from './timing.ts';
import { shapeOf, type PipelineShape } from './pipeline-shape.ts';
import { NO_EVENTS, type PipelineEvent, type PipelineOutput } from './pipeline-output.ts';
import { currentStages, partitionId, readFence } from './snapshot-in-place.ts';

export type { PipelineEvent, PipelineOutput } from './pipeline-output.ts';

const pipelineOptions = z.strictObject({ channels: z.number().int().min(1).max(64).default(1) });

type BuilderArgs<O> = {} extends O ? [options?: O] : [options: O];

/** One builder method per catalogue stage, typed by its options schema. */
export type StageBuilders<Self> = { readonly [N in StageName]: (...options: BuilderArgs<StageOptions<N>>) => Self };

/**
 * An immutable declaration of a pipeline: each builder call returns a new spec, so one spec can be
 * shared by every key and instantiated per key with `create()`. The builder methods
 * (`movingAverage`, `rms`, …) come from the stage catalogue (stages/catalogue.ts).
 */
// The builder methods are installed on the prototype below, one per catalogue stage.
export interface PipelineSpec extends StageBuilders<PipelineSpec> {}
export class PipelineSpec {
  /** Channels of the output of the last stage. */
  readonly outChannels: number;
  /** Canonical description; its hash guards snapshots against configuration changes. */
  readonly description: string;
  readonly configHash: bigint;
  /** The pipeline's event stage (always its last), if it has one: its output is events. */
  readonly eventStage: string | undefined;

  constructor(
    readonly channels: number,
    readonly stages: readonly StageSpec[],
  ) {
    let ch = channels;
    let eventStage: string | undefined;
    for (const stage of stages) {
      if (eventStage !== undefined) {
        throw new ConfigError(`${stage.name} cannot follow ${eventStage}: an event stage outputs events, not samples, so it must be the last stage of a pipeline`, {
          stage: stage.name,
        });
      }
      const descriptor = descriptorOf(stage.name);
      const out = descriptor.channels.out(ch, stage.params);
      if (typeof out !== 'number') throw new ConfigError(`${stage.name} ${out.error}`, { stage: stage.name });
      ch = out;
      if (descriptor.rate.kind === 'events') eventStage = stage.name;
    }
    this.eventStage = eventStage;
    this.outChannels = ch;
    // Unchanged since the first release: stored snapshots carry this hash.
    this.description = JSON.stringify({ v: 1, channels, stages: stages.map((s) => [s.name, s.params]) });
    this.configHash = fnv1a64(this.description);
  }

  /** The first stage whose output frame rate differs from its input's (a spectrum), if any. */
  get rateChanger(): string | undefined {
    return this.stages.find((stage) => descriptorOf(stage.name).rate.kind !== 'same')?.name;
  }

  /** A new spec with one more stage, its options validated by the stage's schema. */
  withStage<N extends StageName>(name: N, options?: StageOptions<N>): PipelineSpec {
    const descriptor = descriptorOf(name);
    const result = descriptor.options.safeParse(options ?? {});
    if (!result.success) throw new ConfigError(`invalid ${name} options: ${zodReason(result.error)}`, { stage: name });
    return new PipelineSpec(this.channels, [...this.stages, { name, params: result.data } as StageSpec]);
  }

  /**
   * One running instance (per key). A pipeline without stages passes its samples through: it only
   * keeps the offset fence (a function that aggregates raw values in windows).
   */
  create(backend: DspBackend = getDefaultBackend()): Pipeline {
    return new Pipeline(this, backend);
  }
}

for (const descriptor of catalogue) {
  if (descriptor.name in PipelineSpec.prototype) throw new Error(`stage name ${descriptor.name} clashes with a PipelineSpec member`);
  Object.defineProperty(PipelineSpec.prototype, descriptor.name, {
    value(this: PipelineSpec, options?: object) {
      return this.withStage(descriptor.name, options as never);
    },
    writable: true,
    configurable: true,
  });
}

/** Starts a pipeline declaration: `pipeline().movingAverage({ window: 10 }).rms({ window: 5 })`. */
export function pipeline(options: { channels?: number } = {}): PipelineSpec {
  const result = pipelineOptions.safeParse(options);
  if (!result.success) throw new ConfigError(`invalid pipeline options: ${zodReason(result.error)}`);
  return new PipelineSpec(result.data.channels, []);
}

/** An event stage's snapshot: its kernel's state, then the pipeline's clock for it. */
function withClock(state: Uint8Array, clock: Uint8Array): Uint8Array {
  const joined = new Uint8Array(state.length + clock.length);
  joined.set(state);
  joined.set(clock, state.length);
  return joined;
}

const sharedScratch: Float32Array[] = [new Float32Array(0), new Float32Array(0)];

/**
 * One key's running pipeline: kernels, scratch buffers and the source offsets it has absorbed.
 */
export class Pipeline {
  private readonly kernels: StageKernel[];
  private readonly descriptors: readonly AnyStageDescriptor[];
  /** The first stage whose output rate differs from its input's, if any. */
  private readonly rateChanger: string | undefined;
  /** The event stage's kinds by code, when the last stage is one. */
  private readonly eventKinds: readonly string[] | undefined;
  /** Times the event stage's events; kept after that stage's state in snapshots. */
  private clock = new EventClock();
  /** The event stage's output: reused, since most calls find no event. */
  private eventFrames = new Float32Array(0);
  /** Per stage: whether it may write its output over its input (StageDescriptor.inPlace). */
  private readonly inPlace: readonly boolean[];
  /** Stages whose options declare their input rate, with the factor from the block's rate to theirs. */
  private readonly declaredRates: PipelineShape['declaredRates'];
  private readonly shape: PipelineShape;
  /**
   * Two scratch buffers: a stage runs in place in its input's buffer when its output fits, else in
   * the other. Shared by every pipeline of the process (execute is synchronous and nothing it
   * returns is a view of them): a handler restores a pipeline per key per batch, and a scratch
   * block each would be most of a batch's allocation.
   */
  private readonly scratch = sharedScratch;
  private readonly absorbed = new Map<string, AbsorbedOffset>();
  private lastAbsorbed: AbsorbedOffset | undefined;

  constructor(
    readonly spec: PipelineSpec,
    readonly backend: DspBackend,
  ) {
    let ch = spec.channels;
    this.shape = shapeOf(spec);
    ({ descriptors: this.descriptors, rateChanger: this.rateChanger, eventKinds: this.eventKinds, inPlace: this.inPlace, declaredRates: this.declaredRates } = shapeOf(spec));
    this.kernels = spec.stages.map((stage) => {
      const kernel = backend.createKernel(stage, ch);
      ch = kernel.outChannels;
      return kernel;
    });
  }

  get channels(): number {
    return this.spec.channels;
  }

  /**
   * Whether every stage keeps the frame rate: output frame i then belongs to input frame i, so a
   * key's records can run as one block and each record still gets its own output frames and time.
   */
  get sameRate(): boolean {
    // An event stage's output is events, timed from its record's time: record by record.
    return this.rateChanger === undefined && this.eventKinds === undefined;
  }

  /**
   * Runs interleaved samples (length a multiple of `channels`) through every stage and returns a
   * new array of output frames. Intermediate results reuse scratch buffers.
   */
  process(samples: Float32Array): Float32Array {
    return this.execute(samples, undefined).samples;
  }

  /**
   * As `process`, into caller memory: the output frames are written from the start of `out`, and
   * the call returns how many frames it wrote (`channels` of the output per frame: the spec's
   * `outChannels`, or 3 per event of an event pipeline). Nothing is allocated: `out` stays the
   * caller's, dspfn keeps no reference to it, and the same array can be reused for every call.
   * `out` must hold `outputLength(samples.length)` values and must not share memory with
   * `samples` (throws DSPFN_INVALID_SAMPLES, before any state changes).
   */
  processInto(samples: Float32Array, out: Float32Array): number {
    const need = this.outputLength(samples.length);
    if (!(out instanceof Float32Array) || out.length < need) {
      throw new InvalidSamplesError(`processInto: out holds ${out?.length ?? 0} values; ${samples.length} samples need ${need} (see outputLength)`);
    }
    if (out.buffer === samples.buffer && out.byteOffset < samples.byteOffset + samples.byteLength && samples.byteOffset < out.byteOffset + out.byteLength) {
      throw new InvalidSamplesError('processInto: out must not share memory with samples');
    }
    return this.execute(samples, undefined, out).frames;
  }

  /**
   * The most output values `process`/`processInto` can give for `inputLength` input samples (whole
   * frames): the input's frames × `outChannels` for pipelines that keep the frame rate; a
   * rate-changing stage's count may depend on its state (a decimator's phase), so ask before each call.
   */
  outputLength(inputLength: number): number {
    let frames = inputLength / this.spec.channels;
    if (!Number.isInteger(frames)) {
      throw new ConfigError(`${inputLength} samples are not whole frames of ${this.spec.channels} channel(s)`);
    }
    if (this.kernels.length === 0) return inputLength;
    if (this.rateChanger === undefined && this.eventKinds === undefined) return frames * this.spec.outChannels;
    for (const kernel of this.kernels) frames = kernel.maxOutputFrames(frames);
    return frames * (this.eventKinds === undefined ? this.spec.outChannels : EVENT_FRAME);
  }

  /**
   * As `process`, with the block's timing: the output carries its own first-frame time and rate. A
   * pipeline with a rate-changing stage needs the block's sample rate to time its output, and
   * throws (DSPFN_INVALID_SAMPLES, before any state changes) without it.
   */
  run(samples: Float32Array, timing: BlockTiming): PipelineOutput {
    const sampleRate = this.inputRate(timing.sampleRate);
    if (sampleRate === undefined && timing.timestamp !== undefined && this.rateChanger !== undefined) {
      const stage = this.rateChanger;
      throw new InvalidSamplesError(`${stage} changes the frame rate, so its output can only be timed when the block has a sampleRate`, { stage });
    }
    return this.execute(samples, { timestamp: timing.timestamp, sampleRate });
  }

  /**
   * The block's rate: as given, else implied by the first stage whose options declare its input
   * rate; a block whose rate contradicts a declared one is refused (InvalidSamplesError) before any
   * state changes.
   */
  inputRate(given: number | undefined): number | undefined {
    let rate = given;
    for (const { stage, rate: declared, factor } of this.declaredRates) {
      if (rate === undefined) {
        rate = declared / factor;
        continue;
      }
      const arriving = rate * factor;
      if (Math.abs(arriving - declared) > 1e-9 * declared) {
        throw new InvalidSamplesError(`${stage} is declared for sampleRate ${declared}, but its input comes at ${arriving} samples per second`, { stage });
      }
    }
    return rate;
  }

  /** With `into`: the last stage writes there (processInto checked its length) and `samples` is a view of it. */
  private execute(samples: Float32Array, timing: BlockTiming | undefined, into?: Float32Array): PipelineOutput {
    let frames = samples.length / this.spec.channels;
    if (!Number.isInteger(frames)) {
      throw new ConfigError(`${samples.length} samples are not whole frames of ${this.spec.channels} channel(s)`);
    }
    if (into !== undefined && this.kernels.length === 0) into.set(samples);
    let input = samples;
    let inBuffer = -1; // which scratch buffer holds `input` (-1: the caller's samples, never written)
    let at = timing;
    const last = this.kernels.length - 1;
    for (let s = 0; s <= last; s++) {
      const kernel = this.kernels[s]!;
      if (s === last && this.eventKinds !== undefined) return this.runEvents(kernel, this.eventKinds, input, frames, at, into);
      const length = kernel.maxOutputFrames(frames) * kernel.outChannels;
      let output: Float32Array;
      let outBuffer = -1;
      if (s === last) output = into ?? new Float32Array(length);
      else {
        outBuffer = inBuffer >= 0 && this.inPlace[s] && length <= input.length ? inBuffer : inBuffer === 0 ? 1 : 0;
        if (this.scratch[outBuffer]!.length < length) this.scratch[outBuffer] = new Float32Array(length);
        output = this.scratch[outBuffer]!.subarray(0, length);
      }
      const written = kernel.process(input, output);
      if (at !== undefined) at = stageOutputTiming(this.descriptors[s]!.rate, this.spec.stages[s]!.params, kernel, at);
      frames = written;
      input = written * kernel.outChannels === output.length ? output : output.subarray(0, written * kernel.outChannels);
      inBuffer = outBuffer;
    }
    return {
      samples: into !== undefined && this.kernels.length === 0 ? into.subarray(0, samples.length) : input,
      channels: this.spec.outChannels,
      frames,
      timestamp: at?.timestamp,
      sampleRate: at?.sampleRate,
      events: NO_EVENTS,
    };
  }

  /**
   * The event stage (the last): its event frames, each event timed at its own sample by the clock
   * (which then remembers this call's last input frame); the output's time is the first event's.
   */
  private runEvents(kernel: StageKernel, kinds: readonly string[], input: Float32Array, frames: number, at: BlockTiming | undefined, into?: Float32Array): PipelineOutput {
    const clock = this.clock;
    const length = kernel.maxOutputFrames(frames) * EVENT_FRAME;
    if (this.eventFrames.length < length) this.eventFrames = new Float32Array(length);
    const written = kernel.process(input, this.eventFrames.subarray(0, length));
    const first = frames > 0 ? kernel.firstInputIndex!() : 0;
    let events = NO_EVENTS;
    if (written > 0) {
      const indices = kernel.eventIndices!();
      const list: PipelineEvent[] = [];
      for (let j = 0; j < written; j++) {
        const index = indices[j]!;
        const kind = kinds[this.eventFrames[j * EVENT_FRAME + 1]!];
        if (kind === undefined || index < first - 1) {
          const stage = this.spec.eventStage!;
          throw new NativeKernelError(`${stage} reported an event it cannot have (kind code ${this.eventFrames[j * EVENT_FRAME + 1]}, index ${index})`, { stage });
        }
        list.push({
          channel: this.eventFrames[j * EVENT_FRAME]!,
          index,
          timestamp: at === undefined ? undefined : clock.time(index, first, at),
          value: this.eventFrames[j * EVENT_FRAME + 2]!,
          kind,
        });
      }
      events = list;
    }
    clock.advance(first, frames, at);
    const eventFrames = this.eventFrames.subarray(0, written * EVENT_FRAME);
    if (into !== undefined) into.set(eventFrames);
    return {
      samples: into === undefined ? eventFrames.slice() : into.subarray(0, eventFrames.length),
      channels: EVENT_FRAME,
      frames: written,
      timestamp: events[0]?.timestamp,
      sampleRate: undefined,
      events,
    };
  }

  /** Whether the record at this offset has already been applied to this key's state. */
  hasAbsorbed(topic: string, partition: number, offset: number): boolean {
    const entry = this.absorbedEntry(topic, partition);
    return entry !== undefined && offset <= entry.offset;
  }

  markAbsorbed(topic: string, partition: number, offset: number): void {
    const entry = this.absorbedEntry(topic, partition);
    if (entry === undefined) {
      const added = { topic, partition, offset };
      this.absorbed.set(partitionId(topic, partition), added);
      this.lastAbsorbed = added;
    } else if (offset > entry.offset) entry.offset = offset;
  }

  /**
   * The partition's entry; the last one found is tried first (a key's records of a batch mostly
   * come from one partition), so most calls build no `topic-partition` id to look up.
   */
  private absorbedEntry(topic: string, partition: number): AbsorbedOffset | undefined {
    const last = this.lastAbsorbed;
    if (last !== undefined && last.partition === partition && last.topic === topic) return last;
    const entry = this.absorbed.get(partitionId(topic, partition));
    if (entry !== undefined) this.lastAbsorbed = entry;
    return entry;
  }

  /** Offsets absorbed per `topic-partition`. */
  offsets(): AbsorbedOffset[] {
    const offsets: AbsorbedOffset[] = [];
    for (const { topic, partition, offset } of this.absorbed.values()) offsets.push({ topic, partition, offset });
    return offsets;
  }

  snapshot(): Uint8Array {
    return encodeSnapshot({
      configHash: this.spec.configHash,
      offsets: [...this.absorbed.values()],
      stages: this.kernels.map((kernel, i) => {
        const descriptor = this.descriptors[i]!;
        return { kind: kindOf(descriptor.name), version: descriptor.stateVersion, state: this.stageState(i) };
      }),
    });
  }

  /**
   * The bytes `snapshot()` returns, appended to `out` (which may hold other snapshots before them):
   * a batch's keys then share one buffer instead of one each.
   */
  snapshotInto(out: ByteWriter): void {
    const { kinds, stateVersions } = this.shape;
    writeSnapshotHead(out, this.spec.configHash, this.absorbed.values(), this.kernels.length);
    for (let i = 0; i < this.kernels.length; i++) {
      const kernel = this.kernels[i]!;
      // The event stage's state has the clock joined to it: through snapshot().
      if (kernel.snapshotInto === undefined || (i === this.kernels.length - 1 && this.eventKinds !== undefined)) {
        writeStageState(out, kinds[i]!, stateVersions[i]!, this.stageState(i));
        continue;
      }
      appendStageState(out, kinds[i]!, stateVersions[i]!, kernel as Required<Pick<StageKernel, 'snapshotInto'>>);
    }
  }

  /** Stage i's state; the event stage's with the pipeline's clock after it. */
  private stageState(i: number): Uint8Array {
    const state = this.kernels[i]!.snapshot();
    return i === this.kernels.length - 1 && this.eventKinds !== undefined ? withClock(state, this.clock.snapshot()) : state;
  }

  /**
   * Restores a snapshot taken by a pipeline with the same configuration. A snapshot from another
   * configuration throws StateMismatchError instead of being reinterpreted; a stage state this
   * version cannot read throws SnapshotError naming the stage.
   */
  restore(bytes: Uint8Array, key?: string): void {
    if (this.eventKinds === undefined && this.restoreCurrent(bytes)) return;
    const snapshot = decodeSnapshot(bytes);
    if (snapshot.configHash !== this.spec.configHash || snapshot.stages.length !== this.kernels.length) {
      throw new StateMismatchError(
        `stored state${key === undefined ? '' : ` for key "${key}"`} was written by a pipeline with another configuration ` +
          `(stored hash ${snapshot.configHash.toString(16)}, current ${this.spec.configHash.toString(16)}); ` +
          `set onStateMismatch: "reset" to start such keys afresh`,
        key === undefined ? {} : { key },
      );
    }
    // Every stage is checked (and upgraded) before any kernel changes; an event stage's state ends
    // with its clock (see snapshot.ts).
    const clock = new EventClock();
    const stages = snapshot.stages.map((stage, i) => {
      if (this.eventKinds === undefined || i !== this.kernels.length - 1) return stage;
      const name = this.descriptors[i]!.name;
      if (stage.state.length < EVENT_CLOCK_BYTES) throw new SnapshotError(`${name}: state of ${stage.state.length} bytes has no event clock`, { stage: name });
      const split = stage.state.length - EVENT_CLOCK_BYTES;
      clock.restore(stage.state.subarray(split), name);
      return { ...stage, state: stage.state.subarray(0, split) };
    });
    const states = stages.map((stage, i) => this.currentState(stage, i, key));
    states.forEach((state, i) => this.restoreKernel(i, state));
    this.clock = clock;
    this.absorbed.clear();
    this.lastAbsorbed = undefined;
    for (const entry of snapshot.offsets) this.absorbed.set(partitionId(entry.topic, entry.partition), { ...entry });
  }

  /**
   * restore's common case, read in place instead of decoded into objects: a well-formed snapshot of
   * this configuration whose stage states all have their current layout, for a pipeline without an
   * event stage. Anything else returns false having changed nothing, and the general path restores
   * it or refuses it with its errors.
   */
  private restoreCurrent(bytes: Uint8Array): boolean {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = currentStages(bytes, view, this.shape);
    if (at < 0) return false;
    for (let i = 0; i < this.kernels.length; i++) {
      const size = view.getUint32(at + 4, true);
      this.restoreKernel(i, bytes.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    this.clock = new EventClock();
    this.lastAbsorbed = undefined;
    readFence(bytes, view, this.absorbed);
    return true;
  }

  /** Stage i's kernel from its state; a kernel's refusal names the stage. */
  private restoreKernel(i: number, state: Uint8Array): void {
    try {
      this.kernels[i]!.restore(state);
    } catch (error) {
      if (error instanceof DspfnError && error.stage !== undefined) throw error;
      const name = this.descriptors[i]!.name;
      if (error instanceof SnapshotError) throw new SnapshotError(`${name}: ${error.message}`, { stage: name, cause: error });
      throw error;
    }
  }

  /** Stage i's stored state in the layout its kernel reads now. */
  private currentState(stage: StageState, i: number, key: string | undefined): Uint8Array {
    const descriptor = this.descriptors[i]!;
    const name = descriptor.name;
    const expected = kindOf(name);
    if (stage.kind !== expected) {
      throw new StateMismatchError(`stored stage ${i} has kind ${stage.kind}, pipeline has ${expected} (${name})`, key === undefined ? {} : { key });
    }
    if (stage.version === descriptor.stateVersion) return stage.state;
    const where = `${name} (stage ${i})`;
    if (stage.version > descriptor.stateVersion) {
      throw new SnapshotError(
        `${where}: state version ${stage.version} was written by a newer dspfn (this one reads up to ${descriptor.stateVersion})`,
        { stage: name },
      );
    }
    if (!descriptor.upgradeState) {
      throw new SnapshotError(`${where}: state version ${stage.version} cannot be read (current ${descriptor.stateVersion}, no upgrade)`, { stage: name });
    }
    return descriptor.upgradeState(stage.state, stage.version, this.spec.stages[i]!.params, this.kernels[i]!.inChannels);
  }
}
