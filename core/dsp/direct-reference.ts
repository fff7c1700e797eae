/**
 * Stage definitions computed straight from their formulas in float64, window by window: slow,
 * obviously right, and independent of the kernels' running sums. Tests compare kernels to these.
 */
export function directMovingAverage(x: ArrayLike<number>, window: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let sum = 0;
    const from = Math.max(0, n - window + 1);
    for (let k = from; k <= n; k++) sum += x[k]!;
    y[n] = sum / (n - from + 1);
  }
  return y;
}

export function directRms(x: ArrayLike<number>, window: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let sum = 0;
    const from = Math.max(0, n - window + 1);
    for (let k = from; k <= n; k++) sum += x[k]! * x[k]!;
    y[n] = Math.sqrt(sum / (n - from + 1));
  }
  return y;
}

/** NLMS (normalised) or LMS on separate x and d, with float32 weights as the stage keeps them. */
export function directAdaptiveFilter(
  x: ArrayLike<number>,
  d: ArrayLike<number>,
  taps: number,
  mu: number,
  eps: number,
  normalised: boolean,
): Float64Array {
  const w = new Float64Array(taps);
  const e = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    const xv = Array.from({ length: taps }, (_, i) => (n - i >= 0 ? x[n - i]! : 0));
    const y = xv.reduce((acc, v, i) => acc + w[i]! * v, 0);
    e[n] = d[n]! - y;
    const norm = normalised ? eps + xv.reduce((acc, v) => acc + v * v, 0) : 1;
    for (let i = 0; i < taps; i++) w[i] = Math.fround(w[i]! + (mu * e[n]! * xv[i]!) / norm);
  }
  return e;
}

/** Channel c of interleaved frames. */
export function channelOf(interleaved: ArrayLike<number>, channels: number, c: number): number[] {
  const out: number[] = [];
  for (let i = c; i < interleaved.length; i += channels) out.push(interleaved[i]!);
  return out;
}
