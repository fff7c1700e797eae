/**
 * What is special to kalman: its gain settles to the steady state of the Riccati recursion, and as
 * a tracker it removes most of the measurement noise of a slowly drifting level.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../testing/random.ts';
import { KalmanKernel } from './kalman.kernel.ts';

describe('kalman', () => {
  it('outputs the first sample as it is and follows a constant level exactly', () => {
    const kernel = new KalmanKernel(2, { processNoise: 1e-3, measurementNoise: 1, initialError: 1 });
    const out = new Float32Array(8);
    kernel.process(Float32Array.of(3, -7, 3, -7, 3, -7, 3, -7), out);
    expect([...out]).toEqual([3, -7, 3, -7, 3, -7, 3, -7]);
  });

  it('settles to the steady-state gain K = P∞/(P∞ + r), P∞ + q solving the Riccati equation', () => {
    const q = 0.01;
    const r = 4;
    const kernel = new KalmanKernel(1, { processNoise: q, measurementNoise: r, initialError: 1 });
    kernel.process(new Float32Array(2000), new Float32Array(2000));
    // After a step of 1 from a settled x = 0, the output moves by K.
    const out = new Float32Array(1);
    kernel.process(Float32Array.of(1), out);
    // Prior variance M = P + q at the fixed point: M = q + M·r/(M + r)  →  M² − qM − qr = 0.
    const prior = (q + Math.sqrt(q * q + 4 * q * r)) / 2;
    expect(out[0]).toBeCloseTo(prior / (prior + r), 6);
  });

  it('tracks a GPS-like drifting position with most of the measurement noise removed', () => {
    const random = mulberry32(11);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const frames = 20_000;
    const truth = new Float64Array(frames);
    const z = new Float32Array(frames);
    let level = 0;
    for (let n = 0; n < frames; n++) {
      level += 0.01 * gauss(); // process noise q = 1e-4
      truth[n] = level;
      z[n] = level + 0.5 * gauss(); // measurement noise r = 0.25
    }
    const kernel = new KalmanKernel(1, { processNoise: 1e-4, measurementNoise: 0.25, initialError: 1 });
    const x = new Float32Array(frames);
    kernel.process(z, x);
    let raw = 0;
    let smoothed = 0;
    for (let n = 1000; n < frames; n++) {
      raw += (z[n]! - truth[n]!) ** 2;
      smoothed += (x[n]! - truth[n]!) ** 2;
    }
    // Steady state: error variance P∞ ≈ 0.0049 against r = 0.25, about 50 times less.
    expect(smoothed / raw).toBeLessThan(0.03);
  });
});
