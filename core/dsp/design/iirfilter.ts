/**
 * Digital IIR designs as second-order sections, equal to
 * scipy.signal.iirfilter(order, cutoff, btype=type, ftype=…, fs=sampleRate, output='sos'):
 * analog prototype → frequency transformation with prewarped edges → bilinear transform → zpk2sos.
 */
import { zpk2sos, type Section } from './sos.ts';
import { bilinear, buttap, cheb1ap, lp2bp, lp2bs, lp2hp, lp2lp, type Zpk } from './zpk.ts';

export const FILTER_TYPES = ['lowpass', 'highpass', 'bandpass', 'bandstop'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];

/** A cutoff in Hz, or the [low, high] band edges of a band type. */
export type Cutoff = number | readonly [number, number];

export interface IirDesign {
  readonly type: FilterType;
  /** The prototype's order: band types get twice as many poles, as in scipy. */
  readonly order: number;
  readonly cutoff: Cutoff;
  readonly sampleRate: number;
}

/** Why `cutoff` does not fit `type` and `sampleRate`, or undefined when it does. */
export function cutoffProblem(type: FilterType, cutoff: Cutoff, sampleRate: number): string | undefined {
  const nyquist = sampleRate / 2;
  const band = type === 'bandpass' || type === 'bandstop';
  if (typeof cutoff === 'number') {
    if (band) return `a ${type} needs cutoff: [low, high] in Hz`;
    if (!(cutoff > 0 && cutoff < nyquist)) return `cutoff must be > 0 and < sampleRate/2 (${nyquist} Hz), got ${cutoff}`;
    return undefined;
  }
  if (!band) return `a ${type} needs one cutoff in Hz, not a pair`;
  const [low, high] = cutoff;
  if (!(low > 0 && high < nyquist && low < high)) return `cutoff [low, high] must have 0 < low < high < sampleRate/2 (${nyquist} Hz), got [${low}, ${high}]`;
  return undefined;
}

/** scipy.signal.iirfilter's digital path after the analog prototype. */
function transform(prototype: Zpk, { type, cutoff, sampleRate }: IirDesign): Section[] {
  const problem = cutoffProblem(type, cutoff, sampleRate);
  if (problem !== undefined) throw new RangeError(problem);
  // Normalised to Nyquist, then prewarped for the bilinear transform at fs = 2 (as scipy does).
  const fs = 2.0;
  const warp = (hz: number) => 2 * fs * Math.tan((Math.PI * (hz / (sampleRate / 2))) / fs);
  let zpk: Zpk;
  if (typeof cutoff === 'number') {
    const warped = warp(cutoff);
    zpk = type === 'lowpass' ? lp2lp(prototype, warped) : lp2hp(prototype, warped);
  } else {
    const low = warp(cutoff[0]);
    const high = warp(cutoff[1]);
    const bw = high - low;
    const wo = Math.sqrt(low * high);
    zpk = type === 'bandpass' ? lp2bp(prototype, wo, bw) : lp2bs(prototype, wo, bw);
  }
  return zpk2sos(bilinear(zpk, fs));
}

/** scipy.signal.butter(order, cutoff, btype=type, fs=sampleRate, output='sos'). */
export function butterworthSections(design: IirDesign): Section[] {
  return transform(buttap(design.order), design);
}

/** scipy.signal.cheby1(order, rippleDb, cutoff, btype=type, fs=sampleRate, output='sos'). */
export function chebyshev1Sections(design: IirDesign & { readonly rippleDb: number }): Section[] {
  return transform(cheb1ap(design.order, design.rippleDb), design);
}
