import type * as z from 'zod';
import { ConfigError } from '../../errors.ts';
import type { AnyStageDescriptor } from './descriptor.ts';
import kindsLock from './kinds.lock.json' with { type: 'json' };
import { ema } from './ema/ema.stage.ts';
import { gain } from './gain/gain.stage.ts';
import { kalman } from './kalman/kalman.stage.ts';
import { linearSlope } from './linearSlope/linearSlope.stage.ts';
import { lms } from './lms/lms.stage.ts';
import { mix } from './mix/mix.stage.ts';
import { movingAverage } from './movingAverage/movingAverage.stage.ts';
import { nlms } from './nlms/nlms.stage.ts';
import { rls } from './rls/rls.stage.ts';
import { rms } from './rms/rms.stage.ts';
import { select } from './select/select.stage.ts';
import { slopeSignChange } from './slopeSignChange/slopeSignChange.stage.ts';
import { snr } from './snr/snr.stage.ts';
import { waveformLength } from './waveformLength/waveformLength.stage.ts';
import { willisonAmplitude } from './willisonAmplitude/willisonAmplitude.stage.ts';

/**
 * THE list of stages: the builder methods of `pipeline()`, both backends, the native parameter
 * packing, the channel and rate checks, the kind ids (kinds.lock.json), the README stage table and
 * the C ops table (`npm run generate`) all derive from it. Adding a stage: README.md in this folder.
 * Order = order of the README table.
 */
export const catalogue = [movingAverage, rms, nlms, lms, gain, ema, rls, kalman, waveformLength, slopeSignChange, willisonAmplitude, linearSlope, snr, select, mix] as const;

export type Catalogue = typeof catalogue;
export type StageName = Catalogue[number]['name'];
export type StageDescriptorOf<N extends StageName> = Extract<Catalogue[number], { name: N }>;
/** What a builder method accepts (defaults optional). */
export type StageOptions<N extends StageName> = z.input<StageDescriptorOf<N>['options']>;
/** What the options schema gives: the stage's params (defaults filled in). */
export type StageParams<N extends StageName> = z.output<StageDescriptorOf<N>['options']>;
/** A declared stage: its name and validated params. */
export type StageSpec = { [N in StageName]: { readonly name: N; readonly params: StageParams<N> } }[StageName];

const byName = new Map<string, AnyStageDescriptor>(catalogue.map((d) => [d.name, d]));
const kinds: Readonly<Record<string, number>> = kindsLock;
const byKind = new Map<number, AnyStageDescriptor>();
for (const d of catalogue) {
  const kind = kinds[d.name];
  if (kind !== undefined) byKind.set(kind, d);
}

export function descriptorOf(name: StageName): AnyStageDescriptor;
export function descriptorOf(name: string): AnyStageDescriptor | undefined;
export function descriptorOf(name: string): AnyStageDescriptor | undefined {
  return byName.get(name);
}

/** The stage's kind id: its stable number in snapshots and in the native ops table. */
export function kindOf(name: string): number {
  const kind = kinds[name];
  if (kind === undefined) {
    throw new ConfigError(`stage "${name}" has no kind id in core/dsp/stages/kinds.lock.json: run npm run generate`, { stage: name });
  }
  return kind;
}

/** The catalogue stage with this kind id (undefined for ids never used or retired). */
export function descriptorOfKind(kind: number): AnyStageDescriptor | undefined {
  return byKind.get(kind);
}

/** Every kind id ever assigned, by stage name (retired stages included: ids are never reused). */
export function lockedKinds(): Readonly<Record<string, number>> {
  return kinds;
}
