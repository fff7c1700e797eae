import FFT from 'fft.js';
import type { WindowName } from './spectral.kernel.ts';

/** The window straight from its formula with Math.cos (periodic: denominator `size`). */
export function directWindow(name: WindowName, size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const t = (2 * Math.PI * n) / size;
    w[n] = name === 'hann' ? 0.5 - 0.5 * Math.cos(t) : name === 'hamming' ? 0.54 - 0.46 * Math.cos(t) : name === 'blackman' ? 0.42 - 0.5 * Math.cos(t) + 0.08 * Math.cos(2 * t) : 1;
  }
  return w;
}

/**
 * |X_k|², k = 0 … size/2, of every complete frame (frame k = samples [k·hop, k·hop + size)) of
 * every channel, by the DFT's definition in float64 (the angle 2π·(k·n mod size)/size reduced
 * exactly): `frames[f][c]`.
 */
export function directPowerFrames(input: Float32Array, channels: number, size: number, hop: number, window: WindowName): Float64Array[][] {
  const total = input.length / channels;
  const w = directWindow(window, size);
  const cos = Float64Array.from({ length: size }, (_, j) => Math.cos((2 * Math.PI * j) / size));
  const sin = Float64Array.from({ length: size }, (_, j) => Math.sin((2 * Math.PI * j) / size));
  const frames: Float64Array[][] = [];
  const x = new Float64Array(size);
  for (let start = 0; start + size <= total; start += hop) {
    const perChannel: Float64Array[] = [];
    for (let c = 0; c < channels; c++) {
      for (let n = 0; n < size; n++) x[n] = input[(start + n) * channels + c]! * w[n]!;
      const power = new Float64Array(size / 2 + 1);
      for (let k = 0; k <= size / 2; k++) {
        let re = 0;
        let im = 0;
        for (let n = 0, j = 0; n < size; n++, j = (j + k) % size) {
          re += x[n]! * cos[j]!;
          im -= x[n]! * sin[j]!;
        }
        power[k] = re * re + im * im;
      }
      perChannel.push(power);
    }
    frames.push(perChannel);
  }
  return frames;
}

/** Frames × channels × per-channel values, flattened channel-major per frame as the stages output them. */
export function flatten(frames: readonly (readonly ArrayLike<number>[])[]): Float64Array {
  const out: number[] = [];
  for (const frame of frames) for (const values of frame) for (let i = 0; i < values.length; i++) out.push(values[i]!);
  return Float64Array.from(out);
}

/** The float32 a float64 value becomes (±Infinity beyond the float32 range), as a stage's output does. */
export function asFloat32(values: Float64Array): Float64Array {
  return values.map((v) => Math.fround(v));
}

/**
 * What a user would write without dspfn for the bench: buffer each channel's frames, window them
 * and take fft.js's real transform (a fast, widely used JavaScript FFT), then `perFrame` on |X|².
 */
export function plainSpectralLoop(
  channels: number,
  size: number,
  hop: number,
  perFrame: (power: Float64Array, channel: number) => void,
): (input: Float32Array) => void {
  const fft = new FFT(size);
  const out = fft.createComplexArray() as number[];
  const w = directWindow('hann', size);
  const frame = new Float64Array(size);
  const buffers = Array.from({ length: channels }, () => new Float32Array(size));
  const power = new Float64Array(size / 2 + 1);
  let filled = 0;
  return (input) => {
    const frames = input.length / channels;
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < channels; c++) buffers[c]![filled] = input[i * channels + c]!;
      if (++filled < size) continue;
      for (let c = 0; c < channels; c++) {
        const b = buffers[c]!;
        for (let n = 0; n < size; n++) frame[n] = b[n]! * w[n]!;
        fft.realTransform(out, frame as unknown as number[]);
        for (let k = 0; k <= size / 2; k++) power[k] = out[2 * k]! * out[2 * k]! + out[2 * k + 1]! * out[2 * k + 1]!;
        perFrame(power, c);
        b.copyWithin(0, hop);
      }
      filled = size - hop;
    }
  };
}
