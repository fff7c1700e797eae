/**
 * Float64 definitions of the window features, window by window (no running sums, no blocks), and
 * the plain JavaScript loops a user would write for them (running sums over rings).
 */
import { POWER_FLOOR } from '../../portable-log.ts';
import type { TermKind } from './term-window.kernel.ts';

/** The first sample of the window ending at n (warm-up: the key's first sample). */
function first(n: number, window: number): number {
  return Math.max(0, n - window + 1);
}

/** Channel c of sample k. */
function at(input: Float32Array, channels: number, c: number, k: number): number {
  return input[k * channels + c]!;
}

/** Channel c's samples. */
function channelOf(input: Float32Array, channels: number, c: number): Float64Array {
  return Float64Array.from({ length: input.length / channels }, (_, k) => at(input, channels, c, k));
}

/**
 * waveformLength: Σ |x[k] − x[k−1]| over k in the window, k ≥ 1; willisonAmplitude: how many k ≥ 1
 * in the window have |x[k] − x[k−1]| ≥ threshold; slopeSignChange: how many k ≥ 2 in the window
 * have (x[k−1] − x[k−2])·(x[k−1] − x[k]) ≥ threshold.
 */
export function directTermWindow(kind: TermKind, input: Float32Array, channels: number, window: number, threshold: number): Float64Array {
  const frames = input.length / channels;
  const out = new Float64Array(input.length);
  const value = (x: Float64Array, k: number): number => {
    if (kind === 'waveformLength') return k >= 1 ? Math.abs(x[k]! - x[k - 1]!) : 0;
    if (kind === 'willisonAmplitude') return k >= 1 && Math.abs(x[k]! - x[k - 1]!) >= threshold ? 1 : 0;
    return k >= 2 && (x[k - 1]! - x[k - 2]!) * (x[k - 1]! - x[k]!) >= threshold ? 1 : 0;
  };
  for (let c = 0; c < channels; c++) {
    const x = channelOf(input, channels, c);
    const terms = Float64Array.from({ length: frames }, (_, k) => value(x, k));
    for (let n = 0; n < frames; n++) {
      let sum = 0;
      for (let k = first(n, window); k <= n; k++) sum += terms[k]!;
      out[n * channels + c] = sum;
    }
  }
  return out;
}

/** The least-squares slope of each window against the sample index, centred in two passes. */
export function directSlope(input: Float32Array, channels: number, window: number): Float64Array {
  const frames = input.length / channels;
  const out = new Float64Array(input.length);
  for (let c = 0; c < channels; c++) {
    for (let n = 0; n < frames; n++) {
      const from = first(n, window);
      const m = n - from + 1;
      let mean = 0;
      for (let k = from; k <= n; k++) mean += at(input, channels, c, k);
      mean /= m;
      const centre = (from + n) / 2;
      let num = 0;
      let den = 0;
      for (let k = from; k <= n; k++) {
        num += (k - centre) * (at(input, channels, c, k) - mean);
        den += (k - centre) * (k - centre);
      }
      out[n * channels + c] = m === 1 ? 0 : num / den;
    }
  }
  return out;
}

/** 10·log10 of the window's Σs² over its Σn² (each at least POWER_FLOOR), input [s, n] frames. */
export function directSnr(input: Float32Array, window: number): Float64Array {
  const frames = input.length / 2;
  const out = new Float64Array(frames);
  for (let n = 0; n < frames; n++) {
    let ps = 0;
    let pn = 0;
    for (let k = first(n, window); k <= n; k++) {
      ps += input[2 * k]! ** 2;
      pn += input[2 * k + 1]! ** 2;
    }
    out[n] = 10 * Math.log10(Math.max(ps, POWER_FLOOR) / Math.max(pn, POWER_FLOOR));
  }
  return out;
}

type Loop = (input: Float32Array, output: Float32Array) => void;

/** A ring of per-sample terms and a running sum per channel, as a user would write it. */
export function plainTermLoop(kind: TermKind, window: number, threshold: number, channels: number): Loop {
  const ring = new Float64Array(window * channels);
  const sums = new Float64Array(channels);
  const last = new Float64Array(channels);
  const beforeLast = new Float64Array(channels);
  let n = 0;
  return (input, output) => {
    const frames = input.length / channels;
    for (let f = 0; f < frames; f++, n++) {
      const slot = (n % window) * channels;
      for (let c = 0; c < channels; c++) {
        const x = input[f * channels + c]!;
        let t = 0;
        if (kind === 'waveformLength') t = n >= 1 ? Math.abs(x - last[c]!) : 0;
        else if (kind === 'willisonAmplitude') t = n >= 1 && Math.abs(x - last[c]!) >= threshold ? 1 : 0;
        else t = n >= 2 && (last[c]! - beforeLast[c]!) * (last[c]! - x) >= threshold ? 1 : 0;
        sums[c] = sums[c]! + t - ring[slot + c]!;
        ring[slot + c] = t;
        beforeLast[c] = last[c]!;
        last[c] = x;
        output[f * channels + c] = sums[c]!;
      }
    }
  };
}

/** Running Σx and Σj·x (j the index within the window) over a ring, as a user would write it. */
export function plainSlopeLoop(window: number, channels: number): Loop {
  const ring = new Float64Array(window * channels);
  const s0 = new Float64Array(channels);
  const s1 = new Float64Array(channels);
  let n = 0;
  return (input, output) => {
    const frames = input.length / channels;
    for (let f = 0; f < frames; f++, n++) {
      const slot = (n % window) * channels;
      const m = Math.min(n + 1, window);
      const den = (m * (m * m - 1)) / 12;
      for (let c = 0; c < channels; c++) {
        const x = input[f * channels + c]!;
        if (n < window) {
          s1[c] = s1[c]! + n * x;
          s0[c] = s0[c]! + x;
        } else {
          const old = ring[slot + c]!;
          s1[c] = s1[c]! - (s0[c]! - old) + (window - 1) * x;
          s0[c] = s0[c]! - old + x;
        }
        ring[slot + c] = x;
        output[f * channels + c] = m === 1 ? 0 : (s1[c]! - ((m - 1) / 2) * s0[c]!) / den;
      }
    }
  };
}

/** Running sums of squares over rings and Math.log10, as a user would write it. */
export function plainSnrLoop(window: number): Loop {
  const ring = new Float64Array(2 * window);
  let ps = 0;
  let pn = 0;
  let n = 0;
  return (input, output) => {
    const frames = input.length / 2;
    for (let f = 0; f < frames; f++, n++) {
      const slot = 2 * (n % window);
      const s = input[2 * f]! ** 2;
      const v = input[2 * f + 1]! ** 2;
      ps += s - ring[slot]!;
      pn += v - ring[slot + 1]!;
      ring[slot] = s;
      ring[slot + 1] = v;
      output[f] = 10 * Math.log10(ps / pn);
    }
  };
}
