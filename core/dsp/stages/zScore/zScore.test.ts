/**
 * The anomaly detector of seed 003 (IoT sensors: `zScore({ window: 20, excludeCurrent: true })` per
 * device) on pressure-like readings around 1013 hPa: what a user expects is the z-score a
 * straightforward float64 computation gives, through the pipeline as the handler runs it (batches,
 * state saved and restored between invocations), on both backends. The readings drift, are
 * quantised to 0.01 hPa like real sensors, hold still for a while (a window of identical values has
 * a deviation of exactly 0), and carry spikes and a dropout to 0 hPa (a failed read).
 */
import { describe, expect, it } from 'vitest';
import { jsBackend, type DspBackend } from '../../backend.ts';
import { isNativeAvailable, nativeBackend } from '../../native/loader.ts';
import { pipeline } from '../../pipeline.ts';
import { mulberry32 } from '../../../testing/random.ts';

const WINDOW = 20;
const SPIKES = [3_000, 6_123, 15_555];
const STUCK = [8_000, 8_100] as const;
const DROPOUT = 12_000;

function pressure(samples: number): Float32Array {
  const random = mulberry32(1013);
  const out = new Float32Array(samples);
  let held = 0;
  for (let n = 0; n < samples; n++) {
    const noise = 0.03 * (random() + random() + random() - 1.5);
    let hPa = Math.round((1013.25 + 4 * Math.sin((2 * Math.PI * n) / 5_000) + noise) * 100) / 100;
    if (SPIKES.includes(n)) hPa += 1.5;
    if (n === STUCK[0]) held = hPa;
    if (n >= STUCK[0] && n < STUCK[1]) hPa = held;
    if (n === DROPOUT) hPa = 0;
    out[n] = hPa;
  }
  return out;
}

/** z[n] from the `window` readings before n in float64: mean, population deviation, floored at 1e-12. */
function expectedZ(x: Float32Array): Float64Array {
  return Float64Array.from(x, (value, n) => {
    const m = Math.min(n, WINDOW);
    if (m === 0) return 0;
    const window = Array.from(x.subarray(n - m, n));
    const mean = window.reduce((s, v) => s + v, 0) / m;
    const sd = Math.sqrt(window.reduce((s, v) => s + (v - mean) ** 2, 0) / m);
    return (value - mean) / Math.max(sd, 1e-12);
  });
}

/** As the handler runs a key: batches of 100 readings, the state saved and restored every 10 batches. */
function detect(x: Float32Array, backend: DspBackend): Float32Array {
  const spec = pipeline({ channels: 1 }).zScore({ window: WINDOW, excludeCurrent: true });
  let p = spec.create(backend);
  const out = new Float32Array(x.length);
  for (let at = 0, batch = 0; at < x.length; at += 100, batch++) {
    if (batch % 10 === 9) {
      const state = p.snapshot();
      p = spec.create(backend);
      p.restore(state);
    }
    out.set(p.process(x.subarray(at, at + 100)), at);
  }
  return out;
}

const x = pressure(20_000);
const want = expectedZ(x);
const backends: [string, DspBackend][] = [['TypeScript', jsBackend], ...(isNativeAvailable() ? [['native', nativeBackend()] as [string, DspBackend]] : [])];

describe.each(backends)('zScore({ window: 20, excludeCurrent: true }) around 1013 hPa, %s', (_name, backend) => {
  const z = detect(x, backend);

  it('gives the float64 z-score of every reading within 1e-6 (relative above 1)', () => {
    let worst = 0;
    for (let n = 0; n < x.length; n++) worst = Math.max(worst, Math.abs(z[n]! - want[n]!) / Math.max(1, Math.abs(want[n]!)));
    expect(worst).toBeLessThan(1e-6);
  });

  it('flags the spikes and the dropout, and nothing it should not', () => {
    const flagged = (values: ArrayLike<number>) => Array.from(values, (v, n) => (Math.abs(v) > 4 ? n : -1)).filter((n) => n >= 0);
    expect(flagged(z)).toEqual(flagged(want));
    for (const n of [...SPIKES, DROPOUT]) expect(Math.abs(z[n]!)).toBeGreaterThan(10);
    // While the sensor holds still the deviation is exactly 0 and so is every z…
    for (let n = STUCK[0] + WINDOW; n < STUCK[1]; n++) expect(z[n]).toBe(0);
    // …until it moves: a change after a flat window is an anomaly of (x − mean) / 1e-12.
    expect(Math.abs(z[STUCK[1]]!)).toBeGreaterThan(1e9);
  });
});

it('the data are hard: a float32 E[x²] − E[x]² deviation (the bug that motivated these stages) is over 35 % wrong', () => {
  let worst = 0;
  for (let n = WINDOW; n < x.length; n++) {
    const window = x.subarray(n - WINDOW, n);
    const mean = Math.fround(window.reduce((s, v) => s + v, 0) / WINDOW);
    const meanSq = Math.fround(window.reduce((s, v) => s + Math.fround(v * v), 0) / WINDOW);
    const sd32 = Math.sqrt(Math.max(Math.fround(meanSq - Math.fround(mean * mean)), 0));
    let sum = 0;
    for (const v of window) sum += v;
    let squares = 0;
    for (const v of window) squares += (v - sum / WINDOW) ** 2;
    const sd = Math.sqrt(squares / WINDOW);
    if (sd > 0.01) worst = Math.max(worst, Math.abs(sd32 - sd) / sd);
  }
  expect(worst).toBeGreaterThan(0.35);
});
