import { describe, expect, it } from 'vitest';
import { alignPoints, heatMap, poolBins, seriesPoints } from './downsample.ts';
import { SignalSeries } from './series.ts';

/** A 1 kHz series of `records` records of `size` frames, from `values(i)` for frame i. */
function series(columns: number, records: number, size: number, values: (i: number) => number, channels = 1): SignalSeries {
  const s = new SignalSeries(columns);
  const block = new Float32Array(size * channels);
  for (let r = 0; r < records; r++) {
    for (let j = 0; j < size * channels; j++) block[j] = values(r * size + Math.floor(j / channels)) + (j % channels);
    s.append(block, channels, size, 1_000 + r * size, 1);
  }
  return s;
}

/** Brute-force min and max per bucket of `width` ms (index floor(time / width)), per channel. */
function bruteForce(times: (i: number) => number, frames: number, value: (i: number, channel: number) => number, channels: number, width: number): Map<number, Array<[number, number]>> {
  const columns = new Map<number, Array<[number, number]>>();
  for (let i = 0; i < frames; i++) {
    const index = Math.floor(times(i) / width);
    let column = columns.get(index);
    if (column === undefined) columns.set(index, (column = Array.from({ length: channels }, () => [Infinity, -Infinity] as [number, number])));
    for (let c = 0; c < channels; c++) {
      const v = Math.fround(value(i, c));
      column[c]![0] = Math.min(column[c]![0], v);
      column[c]![1] = Math.max(column[c]![1], v);
    }
  }
  return columns;
}

describe('SignalSeries', () => {
  it('keeps every frame, in time order, while there are at most two per column', () => {
    const s = series(10, 3, 4, (i) => i * 0.5);
    expect(s.downsampled).toBe(false);
    const points = seriesPoints(s);
    expect(points.x).toEqual([1_000, 1_001, 1_002, 1_003, 1_004, 1_005, 1_006, 1_007, 1_008, 1_009, 1_010, 1_011]);
    expect(points.y[0]).toEqual(Array.from({ length: 12 }, (_, i) => i * 0.5));
  });

  it('holds 10 million samples in its column budget, each column exactly the min and max of its samples (spikes included)', () => {
    const spikes = new Map([[1_234_567, 50], [7_000_001, -40]]);
    const value = (i: number) => spikes.get(i) ?? Math.sin(i / 10_000);
    const columns = 500;
    const s = series(columns, 10_000, 1_000, value, 2);
    expect(s.frames).toBe(10_000_000);
    expect(s.downsampled).toBe(true);
    const buckets = s.columnsView()!;
    // The budget: never more than `columns` buckets, whatever the time range grew to.
    expect(buckets.lo.length).toBe(columns * 2);
    expect(buckets.last - buckets.base).toBeLessThan(columns);
    const expected = bruteForce((i) => 1_000 + i, 10_000_000, (i, c) => value(i) + c, 2, buckets.width);
    const points = s.points();
    expect(points.x.length).toBe(2 * expected.size);
    expect(points.x.length).toBeLessThanOrEqual(2 * columns);
    [...expected.keys()].sort((a, b) => a - b).forEach((index, n) => {
      expect(points.x[2 * n]).toBe(index * buckets.width);
      for (const c of [0, 1]) {
        expect([points.y[c]![2 * n], points.y[c]![2 * n + 1]]).toEqual(expected.get(index)![c]);
      }
    });
    expect(Math.max(...points.y[0]!)).toBe(50);
    expect(Math.min(...points.y[0]!)).toBe(-40);
  });

  it('keeps exact columns when records arrive out of time order (two partitions of one key)', () => {
    const s = new SignalSeries(64);
    const time = (i: number) => (i % 2 === 0 ? 50_000 + i * 3 : 50_000 - i * 7);
    const value = (i: number) => Math.cos(i) * 10;
    for (let i = 0; i < 5_000; i++) s.append([value(i)], 1, 1, time(i), 1);
    const buckets = s.columnsView()!;
    expect(buckets.last - buckets.base).toBeLessThan(64);
    const expected = bruteForce(time, 5_000, value, 1, buckets.width);
    const points = s.points();
    [...expected.keys()].sort((a, b) => a - b).forEach((index, n) => {
      expect(points.x[2 * n]).toBe(index * buckets.width);
      expect([points.y[0]![2 * n], points.y[0]![2 * n + 1]]).toEqual(expected.get(index)![0]);
    });
    expect(s.span()).toEqual([50_000 - 4_999 * 7, 50_000 + 4_998 * 3]);
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
  it('pools spectra into rows and time columns by their maximum', () => {
    // 8 frames of 6 bins (value = frame × 10 + bin), pooled into 3 rows, 4 time columns of 2 ms.
    const spectra = new SignalSeries(4, 0);
    const rows = new Float32Array(3);
    for (let f = 0; f < 8; f++) {
      poolBins(Float32Array.from({ length: 6 }, (_, b) => f * 10 + b), 0, 6, rows);
      spectra.append(rows, 3, 1, 1_000 + f, 1);
    }
    const map = heatMap(spectra, 6);
    expect(map.bins).toBe(6);
    expect(map.cells).toEqual([
      [11, 13, 15],
      [31, 33, 35],
      [51, 53, 55],
      [71, 73, 75],
    ]);
    expect([map.from, map.to]).toEqual([1_000, 1_008]);
  });
});
