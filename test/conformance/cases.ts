import { catalogue, type StageName, type StageSpec } from '../../core/dsp/stages/catalogue.ts';
import type { AnyStageDescriptor } from '../../core/dsp/stages/descriptor.ts';
import type { StageReference } from '../../core/dsp/stages/reference.ts';
import { references } from '../../core/dsp/stages/references.generated.ts';
import { SIGNALS, signal, type SignalName } from './signals.ts';

/** Channel counts every stage runs on (those its channel rule accepts). */
export const CHANNELS = [1, 2, 3, 5, 8] as const;

/**
 * One stream per case, processed in calls of these lengths in turn (5,250 frames): every SIMD tail
 * and block size, and 14 splits of the stream, in one pass. The whole stream in one call is the
 * reference the chunked runs must reproduce.
 */
export const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 4099] as const;
export const STREAM_FRAMES = LENGTHS.reduce((a, b) => a + b, 0);

/**
 * `full`: every signal for every (stage, options, channels). `sampled` (arm64 under qemu, where a
 * JIT runs 20–50× slower): the signals rotate over a stage's cases, as few per case as still give
 * every stage every signal (one per case for a stage with six cases or more).
 */
export type Coverage = 'full' | 'sampled';

export interface ConformanceCase {
  readonly descriptor: AnyStageDescriptor;
  readonly reference: StageReference<StageName>;
  readonly spec: StageSpec;
  readonly channels: number;
  readonly signals: readonly SignalName[];
  /** Position of this case among its stage's cases: rotates which signal gets the once-per-case checks. */
  readonly index: number;
  readonly label: string;
}

export function coverageFromEnv(env: NodeJS.ProcessEnv = process.env): Coverage {
  const forced = env.DSPFN_CONFORMANCE;
  if (forced === 'full' || forced === 'sampled') return forced;
  return process.arch === 'arm64' ? 'sampled' : 'full';
}

/** Every (stage, option case, accepted channel count), with the signals it runs. */
export function conformanceCases(coverage: Coverage, only: readonly string[] = []): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const descriptor of catalogue as readonly AnyStageDescriptor[]) {
    if (only.length > 0 && !only.includes(descriptor.name)) continue;
    const reference = references[descriptor.name as StageName] as StageReference<StageName>;
    const usable = SIGNALS.filter((s) => reference.skipSignals?.[s] === undefined);
    const accepted = reference.cases.flatMap((options) => {
      const params = descriptor.options.parse(options) as object;
      return CHANNELS.filter((channels) => typeof descriptor.channels.out(channels, params) === 'number').map((channels) => ({ params, channels, options }));
    });
    const perCase = coverage === 'full' ? usable.length : Math.ceil(usable.length / accepted.length);
    accepted.forEach(({ params, channels, options }, index) => {
      cases.push({
        descriptor,
        reference,
        spec: { name: descriptor.name, params } as StageSpec,
        channels,
        signals: Array.from({ length: perCase }, (_, k) => usable[(index * perCase + k) % usable.length]!),
        index,
        label: `${descriptor.name}(${JSON.stringify(options)}) × ${channels} ch`,
      });
    });
  }
  return cases;
}

/** Stage names from DSPFN_CONFORMANCE_STAGES=a,b (to run one stage's conformance quickly). */
export function stagesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.DSPFN_CONFORMANCE_STAGES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The case's input stream for a signal: the suite signal, shaped by the stage's `input` if any. */
export function caseInput(c: ConformanceCase, name: SignalName): Float32Array {
  const seed = 1 + c.index * 101 + SIGNALS.indexOf(name) * 7 + c.channels;
  const raw = signal(name, STREAM_FRAMES, c.channels, seed);
  return c.reference.input ? c.reference.input(raw, c.channels) : raw;
}
