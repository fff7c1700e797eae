import { describe, expect, it } from 'vitest';
import { alignPoints, heatMap, minMaxPoints } from './downsample.ts';
import { SignalSeries } from './series.ts';

/** A 1 kHz series of `records` records of `size` frames, from `values(i)` for frame i. */
function series(records: number, size: number, values: (i: number) => number, channels = 1): SignalSeries {
  const s = new SignalSeries();
  for (let r = 0; r < records; r++) {
    const block = Float32Array.from({ length: size * channels }, (_, j) => values(r * size + Math.floor(j / channels)) + (j % channels));
    s.append(block, channels, size, 1_000 + r * size, 1_000);
  }
  return s;
}

describe('minMaxPoints', () => {
  it('keeps every frame when there are at most two per column', () => {
    const s = series(3, 4, (i) => i * 0.5);
    const points = minMaxPoints(s, 1_000, 1_011, 10);
    expect(points.x).toEqual([1_000, 1_001, 1_002, 1_003, 1_004, 1_005, 1_006, 1_007, 1_008, 1_009, 1_010, 1_011]);
    expect(points.y[0]).toEqual(Array.from({ length: 12 }, (_, i) => i * 0.5));
  });

  it('reduces a long series to min and max per column, keeping every column extreme (spikes included)', () => {
    const spikes = new Map([[123_457, 50], [700_001, -40]]);
    const value = (i: number) => spikes.get(i) ?? Math.sin(i / 1_000);
    const s = series(1_000, 1_000, value, 2);
    expect(s.frames).toBe(1_000_000);
    const [from, to] = s.span()!;
    const columns = 500;
    const points = minMaxPoints(s, from, to, columns);
    expect(points.x.length).toBe(2 * columns);
    // Brute force per column, per channel.
    const width = (to - from) / columns;
    for (const channel of [0, 1]) {
      const lo = new Array<number>(columns).fill(Infinity);
      const hi = new Array<number>(columns).fill(-Infinity);
      for (let i = 0; i < 1_000_000; i++) {
        const column = Math.min(columns - 1, Math.floor((1_000 + i - from) / width));
        const v = Math.fround(value(i) + channel);
        lo[column] = Math.min(lo[column]!, v);
        hi[column] = Math.max(hi[column]!, v);
      }
      const y = points.y[channel]!;
      for (let c = 0; c < columns; c++) {
        expect(y[2 * c]).toBeCloseTo(lo[c]!, 5);
        expect(y[2 * c + 1]).toBeCloseTo(hi[c]!, 5);
      }
    }
    expect(Math.max(...points.y[0]!)).toBe(50);
    expect(Math.min(...points.y[0]!)).toBe(-40);
  });
});

describe('alignPoints', () => {
  it('puts series on the union of their times, null where one has no point', () => {
    expect(alignPoints([{ x: [1, 3], y: [[10, 30]] }, { x: [2, 3], y: [[-2, -3], [5, 6]] }])).toEqual([
      [1, 2, 3],
      [10, null, 30],
      [null, -2, -3],
      [null, 5, 6],
    ]);
  });
});

describe('heatMap', () => {
  it('pools spectra to at most columns × rows cells by their maximum', () => {
    // 8 frames of 6 bins: value = frame × 10 + bin.
    const spectra = new SignalSeries();
    for (let f = 0; f < 8; f++) spectra.append(Float32Array.from({ length: 6 }, (_, b) => f * 10 + b), 6, 1, 1_000 + f, 1_000);
    const map = heatMap(spectra, 1_000, 1_008, 4, 3);
    expect(map.bins).toBe(6);
    expect(map.cells).toEqual([
      [11, 13, 15],
      [31, 33, 35],
      [51, 53, 55],
      [71, 73, 75],
    ]);
  });
});
