import type * as z from 'zod';
import { ConfigError } from '../../errors.ts';
import type { AnyStageDescriptor } from './descriptor.ts';
import kindsLock from './kinds.lock.json' with { type: 'json' };
import { clip } from './clip/clip.stage.ts';
import { decimate } from './decimate/decimate.stage.ts';
import { diff } from './diff/diff.stage.ts';
import { ema } from './ema/ema.stage.ts';
import { fir } from './fir/fir.stage.ts';
import { iir } from './iir/iir.stage.ts';
import { biquad } from './biquad/biquad.stage.ts';
import { butterworth } from './butterworth/butterworth.stage.ts';
import { chebyshev1 } from './chebyshev1/chebyshev1.stage.ts';
import { notch } from './notch/notch.stage.ts';
import { peakingEq } from './peakingEq/peakingEq.stage.ts';
import { lowShelf } from './lowShelf/lowShelf.stage.ts';
import { highShelf } from './highShelf/highShelf.stage.ts';
import { gain } from './gain/gain.stage.ts';
import { integrate } from './integrate/integrate.stage.ts';
import { interpolate } from './interpolate/interpolate.stage.ts';
import { kalman } from './kalman/kalman.stage.ts';
import { linearSlope } from './linearSlope/linearSlope.stage.ts';
import { lms } from './lms/lms.stage.ts';
import { mix } from './mix/mix.stage.ts';
import { movingAverage } from './movingAverage/movingAverage.stage.ts';
import { nlms } from './nlms/nlms.stage.ts';
import { rectify } from './rectify/rectify.stage.ts';
import { resample } from './resample/resample.stage.ts';
import { rms } from './rms/rms.stage.ts';
import { spectrum } from './spectrum/spectrum.stage.ts';
import { bandPower } from './bandPower/bandPower.stage.ts';
import { spectralFeatures } from './spectralFeatures/spectralFeatures.stage.ts';
import { melSpectrogram } from './melSpectrogram/melSpectrogram.stage.ts';
import { mfcc } from './mfcc/mfcc.stage.ts';
import { square } from './square/square.stage.ts';
import { variance } from './variance/variance.stage.ts';
import { stddev } from './stddev/stddev.stage.ts';
import { zScore } from './zScore/zScore.stage.ts';
import { meanAbsolute } from './meanAbsolute/meanAbsolute.stage.ts';
import { min } from './min/min.stage.ts';
import { max } from './max/max.stage.ts';
import { cumulativeAverage } from './cumulativeAverage/cumulativeAverage.stage.ts';
import { rls } from './rls/rls.stage.ts';
import { select } from './select/select.stage.ts';
import { slopeSignChange } from './slopeSignChange/slopeSignChange.stage.ts';
import { snr } from './snr/snr.stage.ts';
import { waveformLength } from './waveformLength/waveformLength.stage.ts';
import { willisonAmplitude } from './willisonAmplitude/willisonAmplitude.stage.ts';
import { peaks } from './peaks/peaks.stage.ts';
import { crossings } from './crossings/crossings.stage.ts';
import { clipDetect } from './clipDetect/clipDetect.stage.ts';

/**
 * THE list of stages: the builder methods of `pipeline()`, both backends, the native parameter
 * packing, the channel and rate checks, the kind ids (kinds.lock.json), the README stage table and
 * the C ops table (`npm run generate`) all derive from it. Adding a stage: README.md in this folder.
 * Order = order of the README table.
 */
export const catalogue = [
  movingAverage,
  rms,
  nlms,
  lms,
  gain,
  ema,
  variance,
  stddev,
  zScore,
  meanAbsolute,
  min,
  max,
  cumulativeAverage,
  rectify,
  square,
  clip,
  diff,
  integrate,
  fir,
  iir,
  biquad,
  butterworth,
  chebyshev1,
  notch,
  peakingEq,
  lowShelf,
  highShelf,
  decimate,
  interpolate,
  resample,
  spectrum,
  bandPower,
  spectralFeatures,
  melSpectrogram,
  mfcc,
  peaks,
  crossings,
  clipDetect,
  rls,
  kalman,
  waveformLength,
  slopeSignChange,
  willisonAmplitude,
  linearSlope,
  snr,
  select,
  mix,
] as const;

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
