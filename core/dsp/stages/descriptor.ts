import type * as z from 'zod';
import type { SimdPath } from '../native/simd.ts';
import type { StageKernel } from './kernel.ts';

/**
 * Everything dspfn knows about one stage. A descriptor is the only place a stage is declared: the
 * catalogue (catalogue.ts) lists descriptors, and the builder methods, both backends, the native
 * parameter packing, the channel and rate checks, the README table and the C ops table derive from
 * it. How to write one: README.md in this folder.
 */
export interface StageDescriptor<Name extends string = string, Options extends z.ZodType<object> = z.ZodType<object>> {
  /** The builder method, the folder `core/dsp/stages/<name>/`, `layers/dsp/src/stages/<name>.c`. */
  readonly name: Name;
  /**
   * Version of the state layout `snapshot` writes (0 for a stage's first layout). Bump it when the
   * layout changes, and give `upgradeState` for every older version that was ever released.
   */
  readonly stateVersion: number;
  /**
   * Strict zod schema of the options (unknown keys rejected; every limit lives here). Its output is
   * the stage's params, which enter the configuration hash and cross into C in key order
   * (params.ts: numbers as they are, booleans 0/1, enum strings as their index, arrays as their
   * length then their items, nested objects by their own key order).
   */
  readonly options: Options;
  /** Output channels for an input channel count, or why that count is refused. */
  readonly channels: ChannelRule<z.output<Options>>;
  /** How the output's frame rate relates to the input's. */
  readonly rate: RateRule<z.output<Options>>;
  /**
   * false: `process` must never write over its input, even when its output is shorter (a
   * spectrum's frame of outputs is wider than the hop of input that completes it); the pipeline
   * then never runs it in place, and the C ops set `separate_output`. Default true.
   */
  readonly inPlace?: boolean;
  /**
   * The input sample rate the options declare (e.g. bandPower's `sampleRate`). The pipeline times
   * a block that has no rate with it, and refuses a block whose rate says otherwise (its bins
   * would be another frequency).
   */
  inputRate?(params: z.output<Options>): number;
  /** The TypeScript kernel: the reference backend that native paths are held to. */
  kernel(params: z.output<Options>, inChannels: number): StageKernel;
  /** Converts a state written at an older `stateVersion` to the current layout (the one place migrations live; both backends then restore the result). */
  upgradeState?(state: Uint8Array, fromVersion: number, params: z.output<Options>, inChannels: number): Uint8Array;
  /** What the native paths owe the TypeScript kernel. */
  readonly exactness: Exactness;
  /** One line each for the generated README stage table. */
  readonly doc: StageDoc;
}

/** Any catalogue descriptor (method parameters are bivariant, so specific descriptors fit). */
export type AnyStageDescriptor = StageDescriptor<string, z.ZodType<object>>;

export interface StageDoc {
  /** What the stage outputs, as a formula. */
  readonly formula: string;
  /** What its state holds. */
  readonly state: string;
  /** What the native SIMD paths do, e.g. "channels in float64 lanes (lane driver)". */
  readonly simd: string;
}

export interface ChannelRule<P> {
  /** For the README, e.g. "any → same" or "2 → 1". */
  readonly doc: string;
  /** Output channels, or a phrase completing "<stage> …" that says why `inChannels` is refused. */
  out(inChannels: number, params: P): number | { readonly error: string };
}

/** Any number of channels in, as many out. */
export const sameChannels: ChannelRule<unknown> = { doc: 'any → same', out: (inChannels) => inChannels };

/** Exactly `inCount` channels in, `outCount` out; `layout` names the input, e.g. "[x0, d0, x1, d1, …]". */
export function fixedChannels(inCount: number, outCount: number, layout: string): ChannelRule<unknown> {
  return {
    doc: `${inCount} → ${outCount}`,
    out: (inChannels) =>
      inChannels === inCount
        ? outCount
        : { error: `needs ${inCount}-channel interleaved input ${layout}, but its input has ${inChannels} channel(s)` },
  };
}

/**
 * `same`: one output frame per input frame, at the input's times. `ratio`: output frame rate =
 * input rate × up / down; the kernel reports where each call's first output frame lies
 * (`StageKernel.firstOutputOffset`). `events`: sparse — each call writes zero or more event frames
 * (`EVENT_FRAME`: channel, kind code, value) and reports each one's sample index in the key's stream
 * (`StageKernel.eventIndices`); the pipeline times each event at its own sample. An event stage is
 * the last stage of a pipeline.
 */
export type RateRule<P> =
  | { readonly kind: 'same' }
  | {
      readonly kind: 'ratio';
      ratio(params: P): { readonly up: number; readonly down: number };
      /** For the README, e.g. "rate / hop (one frame per hop)"; default "rate × up / down". */
      readonly doc?: string;
    }
  | {
      readonly kind: 'events';
      /** The event kinds the stage reports, indexed by the kind code of its event frames (`['rising', 'falling']`). */
      readonly kinds: readonly [string, ...string[]];
      /** For the README, e.g. "an event per peak"; default "events". */
      readonly doc?: string;
    };

/**
 * The event frame every event stage writes: `[channel, kind code, value]` (float32; the channel and
 * the code are small whole numbers, the value is the sample's). The index (float64) is reported
 * beside it, so it never rounds.
 */
export const EVENT_FRAME = 3;

/** Any number of channels in, event frames out (`EVENT_FRAME` values each). */
export const eventChannels: ChannelRule<unknown> = { doc: 'any → events `[channel, kind, value]`', out: () => EVENT_FRAME };

export const sameRate: RateRule<unknown> = { kind: 'same' };

/**
 * `bit-exact`: every native path gives the TypeScript kernel's outputs and snapshot bytes bit for
 * bit — the rule for every stage (layers/dsp and this folder's README say how). `bounded` is the
 * documented exception for nlms and lms, whose SIMD dot products add in another order and feed
 * back into the weights: on the paths not in `exactPaths`, every output is within
 * `bound × scale(input)` of TypeScript's and snapshots keep the layout, not the bytes.
 */
export type Exactness =
  | { readonly kind: 'bit-exact' }
  | {
      readonly kind: 'bounded';
      readonly exactPaths: readonly SimdPath[];
      readonly bound: number;
      readonly scale: (input: Float32Array, channels: number) => number;
      /** What `scale` measures, for the README, e.g. "rms(d)". */
      readonly scaleDoc: string;
      readonly why: string;
    };

export const bitExact: Exactness = { kind: 'bit-exact' };

/** Identity that checks a descriptor against the interface while keeping its literal name and schema types. */
export function defineStage<const Name extends string, Options extends z.ZodType<object>>(
  descriptor: StageDescriptor<Name, Options>,
): StageDescriptor<Name, Options> {
  return descriptor;
}
