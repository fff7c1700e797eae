import { firWindow, type FirWindow } from './windows.ts';

export type { FirWindow } from './windows.ts';

/** Which band an FIR design keeps (scipy's `pass_zero` as a string). */
export type FirBandType = 'lowpass' | 'highpass' | 'bandpass' | 'bandstop';

export interface FirwinOptions {
  /** Number of coefficients (the filter length), a whole number ≥ 1. */
  readonly taps: number;
  /** Band edge(s) in the units of `fs`: one for lowpass/highpass, a [low, high] pair for the band types. */
  readonly cutoff: number | readonly number[];
  readonly type: FirBandType;
  /** Default 'hamming', as scipy's. */
  readonly window?: FirWindow;
  /** The sampling rate `cutoff` is relative to; default 2, so cutoffs are fractions of Nyquist (scipy without `fs`). */
  readonly fs?: number;
  /** Scale the taps to gain 1 at the centre of the first passband (default true, as scipy's). */
  readonly scale?: boolean;
}

/**
 * A windowed-sinc FIR design, equal to `scipy.signal.firwin(taps, cutoff, window=…, pass_zero=type,
 * fs=fs, scale=scale)` (to about 1e-15; the checked-in fixtures hold this to 1e-9), with the same
 * validation: cutoffs strictly inside (0, fs/2) and increasing, one cutoff for lowpass/highpass and
 * two for the band types, and an odd number of taps when the filter passes Nyquist (highpass,
 * bandstop). Throws RangeError with scipy's reasons in dspfn's words; the stages that design filters
 * (fir, and the rate changers) turn it into a ConfigError naming the stage.
 */
export function firwin(options: FirwinOptions): Float64Array {
  const { taps, type, window = 'hamming', fs = 2, scale = true } = options;
  if (!(Number.isInteger(taps) && taps >= 1)) throw new RangeError(`taps must be a whole number ≥ 1, got ${taps}`);
  if (!(Number.isFinite(fs) && fs > 0)) throw new RangeError(`the sampling rate must be a positive number, got ${fs}`);
  const nyquist = fs / 2;
  const edges = (typeof options.cutoff === 'number' ? [options.cutoff] : [...options.cutoff]).map((f) => f / nyquist);
  const band = type === 'bandpass' || type === 'bandstop';
  if (band && edges.length !== 2) throw new RangeError(`a ${type} filter takes a [low, high] cutoff pair, got ${edges.length} value(s)`);
  if (!band && edges.length !== 1) throw new RangeError(`a ${type} filter takes one cutoff frequency, got ${edges.length}`);
  if (edges.some((e) => !(e > 0 && e < 1))) {
    throw new RangeError(`cutoff frequencies must be greater than 0 and less than half the sampling rate (${nyquist})`);
  }
  if (edges.some((e, i) => i > 0 && !(e > edges[i - 1]!))) throw new RangeError('cutoff frequencies must be strictly increasing');

  const passZero = type === 'lowpass' || type === 'bandstop';
  const passNyquist = (edges.length % 2 === 0) === passZero;
  if (passNyquist && taps % 2 === 0) {
    throw new RangeError(`a ${type} filter needs an odd number of taps (an even-length filter has zero response at half the sampling rate), got ${taps}`);
  }
  // Pairs of band edges, each a passband: 0 and/or 1 (Nyquist) added at the ends.
  const bounds = [...(passZero ? [0] : []), ...edges, ...(passNyquist ? [1] : [])];

  const alpha = 0.5 * (taps - 1);
  const h = new Float64Array(taps);
  for (let b = 0; b < bounds.length; b += 2) {
    const left = bounds[b]!;
    const right = bounds[b + 1]!;
    for (let n = 0; n < taps; n++) {
      const m = n - alpha;
      h[n] = h[n]! + right * sinc(right * m);
      h[n] = h[n]! - left * sinc(left * m);
    }
  }
  const w = firWindow(window, taps);
  for (let n = 0; n < taps; n++) h[n] = h[n]! * w[n]!;

  if (scale) {
    // Gain 1 at the centre of the first passband (0, Nyquist, or the middle of the band).
    const left = bounds[0]!;
    const right = bounds[1]!;
    const frequency = left === 0 ? 0 : right === 1 ? 1 : 0.5 * (left + right);
    let s = 0;
    for (let n = 0; n < taps; n++) s += h[n]! * Math.cos(Math.PI * (n - alpha) * frequency);
    if (!(Number.isFinite(s) && s !== 0)) throw new RangeError('the design has no gain at the centre of its passband');
    for (let n = 0; n < taps; n++) h[n] = h[n]! / s;
  }
  return h;
}

/** numpy.sinc: sin(πx)/(πx), 1 at 0. */
function sinc(x: number): number {
  if (x === 0) return 1;
  const y = Math.PI * x;
  return Math.sin(y) / y;
}
