import * as z from 'zod';
import { ConfigError, StateMismatchError } from '../errors.ts';
import { getDefaultBackend, type DspBackend } from './backend.ts';
import { fnv1a64 } from './config-hash.ts';
import { decodeSnapshot, encodeSnapshot, type AbsorbedOffset } from './snapshot.ts';
import { zodReason } from '../validation.ts';
import {
  StageKind,
  outputChannels,
  type AdaptiveFilterParams,
  type MovingWindowParams,
  type StageKernel,
  type StageSpec,
} from './stage.ts';

const windowOptions = z.strictObject({ window: z.number().int().min(1).max(1_048_576) });
const adaptiveOptions = z.strictObject({
  taps: z.number().int().min(1).max(4096),
  mu: z.number().positive().finite(),
  eps: z.number().min(0).finite().default(1e-6),
});
const pipelineOptions = z.strictObject({ channels: z.number().int().min(1).max(64).default(1) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(`invalid ${what} options: ${zodReason(result.error)}`);
  }
  return result.data;
}

/**
 * An immutable declaration of a pipeline: each builder call returns a new spec, so one spec can be
 * shared by every key and instantiated per key with `create()`.
 */
export class PipelineSpec {
  /** Channels of the output of the last stage. */
  readonly outChannels: number;
  /** Canonical description; its hash guards snapshots against configuration changes. */
  readonly description: string;
  readonly configHash: bigint;

  constructor(
    readonly channels: number,
    readonly stages: readonly StageSpec[],
  ) {
    let ch = channels;
    for (const stage of stages) {
      if ((stage.name === 'nlms' || stage.name === 'lms') && ch !== 2) {
        throw new ConfigError(
          `${stage.name} needs 2-channel interleaved input [x0, d0, x1, d1, …], but its input has ${ch} channel(s)`,
        );
      }
      ch = outputChannels(stage, ch);
    }
    this.outChannels = ch;
    this.description = JSON.stringify({ v: 1, channels, stages: stages.map((s) => [s.name, s.params]) });
    this.configHash = fnv1a64(this.description);
  }

  private then(stage: StageSpec): PipelineSpec {
    return new PipelineSpec(this.channels, [...this.stages, stage]);
  }

  movingAverage(options: MovingWindowParams): PipelineSpec {
    return this.then({ name: 'movingAverage', params: parse(windowOptions, options, 'movingAverage') });
  }

  rms(options: MovingWindowParams): PipelineSpec {
    return this.then({ name: 'rms', params: parse(windowOptions, options, 'rms') });
  }

  nlms(options: { taps: number; mu: number; eps?: number }): PipelineSpec {
    return this.then({ name: 'nlms', params: parse(adaptiveOptions, options, 'nlms') as AdaptiveFilterParams });
  }

  lms(options: { taps: number; mu: number }): PipelineSpec {
    return this.then({ name: 'lms', params: parse(adaptiveOptions, options, 'lms') as AdaptiveFilterParams });
  }

  create(backend: DspBackend = getDefaultBackend()): Pipeline {
    if (this.stages.length === 0) throw new ConfigError('a pipeline needs at least one stage');
    return new Pipeline(this, backend);
  }
}

/** Starts a pipeline declaration: `pipeline().movingAverage({ window: 10 }).rms({ window: 5 })`. */
export function pipeline(options: { channels?: number } = {}): PipelineSpec {
  return new PipelineSpec(parse(pipelineOptions, options, 'pipeline').channels, []);
}

function partitionId(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * One key's running pipeline: kernels, scratch buffers and the source offsets it has absorbed.
 */
export class Pipeline {
  private readonly kernels: StageKernel[];
  private scratch = new Float32Array(0);
  private readonly absorbed = new Map<string, AbsorbedOffset>();

  constructor(
    readonly spec: PipelineSpec,
    readonly backend: DspBackend,
  ) {
    let ch = spec.channels;
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
   * Runs interleaved samples (length a multiple of `channels`) through every stage and returns a
   * new array of output frames. Intermediate results reuse one scratch buffer.
   */
  process(samples: Float32Array): Float32Array {
    const frames = samples.length / this.spec.channels;
    if (!Number.isInteger(frames)) {
      throw new ConfigError(`${samples.length} samples are not whole frames of ${this.spec.channels} channel(s)`);
    }
    let input = samples;
    for (let s = 0; s < this.kernels.length; s++) {
      const kernel = this.kernels[s]!;
      const last = s === this.kernels.length - 1;
      const outLength = frames * kernel.outChannels;
      let output: Float32Array;
      if (last) output = new Float32Array(outLength);
      else {
        if (this.scratch.length < frames * Math.max(kernel.inChannels, kernel.outChannels)) {
          this.scratch = new Float32Array(frames * Math.max(kernel.inChannels, kernel.outChannels));
        }
        output = this.scratch.subarray(0, outLength);
      }
      kernel.process(input, output);
      input = output;
    }
    return input;
  }

  /** Whether the record at this offset has already been applied to this key's state. */
  hasAbsorbed(topic: string, partition: number, offset: number): boolean {
    const entry = this.absorbed.get(partitionId(topic, partition));
    return entry !== undefined && offset <= entry.offset;
  }

  markAbsorbed(topic: string, partition: number, offset: number): void {
    const id = partitionId(topic, partition);
    const entry = this.absorbed.get(id);
    if (entry === undefined) this.absorbed.set(id, { topic, partition, offset });
    else if (offset > entry.offset) entry.offset = offset;
  }

  /** Offsets absorbed per `topic-partition`. */
  offsets(): AbsorbedOffset[] {
    return [...this.absorbed.values()].map((entry) => ({ ...entry }));
  }

  snapshot(): Uint8Array {
    return encodeSnapshot({
      configHash: this.spec.configHash,
      offsets: [...this.absorbed.values()],
      stages: this.kernels.map((kernel, i) => ({ kind: StageKind[this.spec.stages[i]!.name], state: kernel.snapshot() })),
    });
  }

  /**
   * Restores a snapshot taken by a pipeline with the same configuration. A snapshot from another
   * configuration throws StateMismatchError instead of being reinterpreted.
   */
  restore(bytes: Uint8Array, key?: string): void {
    const snapshot = decodeSnapshot(bytes);
    if (snapshot.configHash !== this.spec.configHash || snapshot.stages.length !== this.kernels.length) {
      throw new StateMismatchError(
        `stored state${key === undefined ? '' : ` for key "${key}"`} was written by a pipeline with another configuration ` +
          `(stored hash ${snapshot.configHash.toString(16)}, current ${this.spec.configHash.toString(16)}); ` +
          `set onStateMismatch: "reset" to start such keys afresh`,
        key === undefined ? {} : { key },
      );
    }
    snapshot.stages.forEach((stage, i) => {
      const expected = StageKind[this.spec.stages[i]!.name];
      if (stage.kind !== expected) {
        throw new StateMismatchError(`stored stage ${i} has kind ${stage.kind}, pipeline has ${expected}`);
      }
      this.kernels[i]!.restore(stage.state);
    });
    this.absorbed.clear();
    for (const entry of snapshot.offsets) this.absorbed.set(partitionId(entry.topic, entry.partition), { ...entry });
  }
}
