import type { StageName, StageOptions, StageParams } from './catalogue.ts';

/** The test signals every stage runs on in the conformance suite (test/conformance/signals.ts makes them). */
export const SIGNALS = ['noise', 'dc', 'tiny', 'huge', 'zeros', 'sine'] as const;
export type SignalName = (typeof SIGNALS)[number];

/**
 * What tests and benches need to know about a stage, beside its descriptor (which production code
 * imports; this file's kind only tests and benches do): `core/dsp/stages/<name>/<name>.reference.ts`
 * exports `reference`, collected by the generated references.generated.ts.
 */
export interface StageReference<N extends StageName> {
  /**
   * A few representative option sets (typically 2–4); the conformance suite runs every one on every
   * channel count the stage accepts, every signal and every SIMD path. Pick values that take
   * different code paths (e.g. rms windows 8 and 9: direct sums vs running sum) and the extremes.
   */
  readonly cases: readonly StageOptions<N>[];
  /**
   * The stage computed straight from its formula in float64, slowly and obviously right (no running
   * sums, no tricks): interleaved frames in, interleaved frames out. An event stage's definition
   * gives one row `[index, channel, kind code, value]` per event, by index then channel: its event
   * frame with the sample's index in front (families/events/events.reference.ts).
   */
  definition(input: Float32Array, channels: number, params: StageParams<N>): Float64Array;
  /**
   * The TypeScript kernel must satisfy |kernel − definition| ≤ bound × (|definition| + peak |input|)
   * + 2⁻¹⁴⁹ for every output sample (6e-8 is float32 rounding alone).
   */
  readonly definitionBound: number;
  /**
   * For outputs not in the input's units (logarithms, DCTs of logarithms): the output size the
   * bound is relative to instead of peak |input| (the definition bound then reads
   * bound × (|definition| + definitionScale)).
   */
  readonly definitionScale?: number;
  /** Turns a suite signal into this stage's input (e.g. [x, d] pairs for nlms); default: as it is. */
  input?(signal: Float32Array, channels: number): Float32Array;
  /** Signals the stage is not run on, each with the reason (say why the signal is out of its domain). */
  readonly skipSignals?: { readonly [S in SignalName]?: string };
  /** For `npm run bench` (1,024-frame blocks). */
  readonly bench: {
    readonly options: StageOptions<N>;
    /** Channel counts to bench; default [1, 8] (or the only count the stage accepts). */
    readonly channels?: readonly number[];
    /**
     * The same math as a plain JavaScript loop a user would write without dspfn (its own state, no
     * snapshots, no framework): called once per block.
     */
    plain(params: StageParams<N>, channels: number): (input: Float32Array, output: Float32Array) => void;
    /**
     * Other plain loops of the same output, measured in the same rounds and printed after the table
     * as the native best path's ratio to each (e.g. decimate: one that computes only the kept outputs).
     */
    readonly alternatives?: readonly {
      readonly label: string;
      plain(params: StageParams<N>, channels: number): (input: Float32Array, output: Float32Array) => void;
    }[];
    /**
     * A speed an issue asks of this stage: the bench prints, after its table, the native best
     * path's ratio to the plain loop per channel count against `minPlainRatio` (reported, never
     * asserted), e.g. `{ label: 'FIR (51 taps)', minPlainRatio: { 1: 10, 8: 10 }, source: 'issue 10' }`.
     */
    readonly goal?: { readonly label: string; readonly minPlainRatio: Readonly<Record<number, number>>; readonly source: string };
  };
}

/** Identity that checks a reference against its stage's option and param types. */
export function defineReference<N extends StageName>(_name: N, reference: StageReference<N>): StageReference<N> {
  return reference;
}
