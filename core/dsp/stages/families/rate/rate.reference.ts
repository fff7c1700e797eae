/**
 * What the conformance suite and the bench need of the rate changers: the stage straight from its
 * formula (scipy.signal.upfirdn, causal) and the loops a user would write without dspfn.
 */

/** Outputs that exist after `frames` input frames: ⌈frames·up/down⌉. */
export function outputsAfter(frames: number, up: number, down: number): number {
  return Math.ceil((frames * up) / down);
}

/**
 * y[m] = Σ_k h[k]·u[m·down − k] in float64, u the input with up − 1 zeros after each sample (zeros
 * before the first), for every m whose inputs have arrived: upfirdn(h, x, up, down) cut to the
 * outputs a causal stage can give. Interleaved in and out.
 */
export function directUpfirdn(input: Float32Array, channels: number, h: readonly number[], up: number, down: number): Float64Array {
  const frames = input.length / channels;
  const outputs = outputsAfter(frames, up, down);
  const out = new Float64Array(outputs * channels);
  for (let c = 0; c < channels; c++) {
    for (let m = 0; m < outputs; m++) {
      let y = 0;
      for (let k = 0; k < h.length; k++) {
        const at = m * down - k;
        if (at >= 0 && at % up === 0) y += h[k]! * input[(at / up) * channels + c]!;
      }
      out[m * channels + c] = y;
    }
  }
  return out;
}

type Plain = (input: Float32Array, output: Float32Array) => void;

/**
 * Decimation as a user writes it: filter every sample (a buffer of the last T−1 samples followed by
 * the block), then keep the samples whose index in the stream is a multiple of `factor`.
 */
export function plainFilterThenKeep(h: readonly number[], factor: number, channels: number): Plain {
  const taps = h.length;
  const coefficients = Float64Array.from(h);
  const buffers = Array.from({ length: channels }, () => new Float64Array(taps - 1 + 1024));
  const filtered = new Float64Array(1024);
  let index = 0;
  return (input, output) => {
    const frames = input.length / channels;
    let kept = 0;
    for (let c = 0; c < channels; c++) {
      const x = buffers[c]!;
      for (let n = 0; n < frames; n++) x[taps - 1 + n] = input[n * channels + c]!;
      for (let n = 0; n < frames; n++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) sum += coefficients[k]! * x[taps - 1 + n - k]!;
        filtered[n] = sum;
      }
      kept = 0;
      for (let n = 0; n < frames; n++) if ((index + n) % factor === 0) output[kept++ * channels + c] = filtered[n]!;
      x.copyWithin(0, frames, frames + taps - 1);
    }
    index += frames;
  };
}

/** The smarter plain loop: the same buffer, but only the kept outputs are computed. */
export function plainKeptOnly(h: readonly number[], factor: number, channels: number): Plain {
  const taps = h.length;
  const coefficients = Float64Array.from(h);
  const buffers = Array.from({ length: channels }, () => new Float64Array(taps - 1 + 1024));
  let first = 0; // index in the block of the next kept sample
  return (input, output) => {
    const frames = input.length / channels;
    let next = first;
    for (let c = 0; c < channels; c++) {
      const x = buffers[c]!;
      for (let n = 0; n < frames; n++) x[taps - 1 + n] = input[n * channels + c]!;
      let kept = 0;
      for (next = first; next < frames; next += factor) {
        let sum = 0;
        for (let k = 0; k < taps; k++) sum += coefficients[k]! * x[taps - 1 + next - k]!;
        output[kept++ * channels + c] = sum;
      }
      x.copyWithin(0, frames, frames + taps - 1);
    }
    first = next - frames;
  };
}

/**
 * Rate change as a user writes it from the definition: zero-stuff the block by `up` into a buffer
 * after the last T−1 stuffed samples, filter every stuffed sample, then keep every `down`-th.
 */
export function plainStuffFilterKeep(h: readonly number[], up: number, down: number, channels: number): Plain {
  const taps = h.length;
  const coefficients = Float64Array.from(h);
  const buffers = Array.from({ length: channels }, () => new Float64Array(taps - 1 + 1024 * up));
  let index = 0; // stuffed samples so far
  return (input, output) => {
    const frames = input.length / channels;
    const stuffed = frames * up;
    for (let c = 0; c < channels; c++) {
      const u = buffers[c]!;
      u.fill(0, taps - 1, taps - 1 + stuffed);
      for (let n = 0; n < frames; n++) u[taps - 1 + n * up] = input[n * channels + c]!;
      let kept = 0;
      for (let i = 0; i < stuffed; i++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) sum += coefficients[k]! * u[taps - 1 + i - k]!;
        if ((index + i) % down === 0) output[kept++ * channels + c] = sum;
      }
      u.copyWithin(0, stuffed, stuffed + taps - 1);
    }
    index += stuffed;
  };
}
