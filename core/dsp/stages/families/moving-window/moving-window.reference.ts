/**
 * Float64 definitions of movingAverage and rms, window by window (no running sums), and the plain
 * JavaScript loop a user would write for them.
 */
export function directWindow(input: Float32Array, channels: number, window: number, squared: boolean): Float64Array {
  const frames = input.length / channels;
  const out = new Float64Array(input.length);
  for (let c = 0; c < channels; c++) {
    for (let n = 0; n < frames; n++) {
      const from = Math.max(0, n - window + 1);
      let sum = 0;
      for (let k = from; k <= n; k++) {
        const v = input[k * channels + c]!;
        sum += squared ? v * v : v;
      }
      const mean = sum / (n - from + 1);
      out[n * channels + c] = squared ? Math.sqrt(mean) : mean;
    }
  }
  return out;
}

/** A float64 running sum over a ring per channel, as a user would write it (no drift control). */
export function plainWindowLoop(window: number, channels: number, squared: boolean): (input: Float32Array, output: Float32Array) => void {
  const ring = new Float64Array(window * channels);
  const sums = new Float64Array(channels);
  let n = 0;
  return (input, output) => {
    const frames = input.length / channels;
    for (let f = 0; f < frames; f++, n++) {
      const slot = (n % window) * channels;
      const count = Math.min(n + 1, window);
      for (let c = 0; c < channels; c++) {
        const x = input[f * channels + c]!;
        const v = squared ? x * x : x;
        sums[c] = sums[c]! + v - ring[slot + c]!;
        ring[slot + c] = v;
        output[f * channels + c] = squared ? Math.sqrt(Math.max(sums[c]!, 0) / count) : sums[c]! / count;
      }
    }
  };
}
