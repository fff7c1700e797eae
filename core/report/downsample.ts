import type { SignalSeries } from './series.ts';

/** Seven significant digits (float32 holds about that many) keep the report small. */
const shown = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(7)) : 0);
/** Times to the microsecond. */
const at = (t: number): number => Math.round(t * 1000) / 1000;

/** A chart's data as uPlot takes it: x (epoch ms), then one array per series, null where a series has no point. */
export type ChartData = [number[], ...Array<Array<number | null>>];

export interface SeriesPoints {
  /** Point times, ascending. */
  x: number[];
  /** Per channel, one value per point. */
  y: number[][];
}

/**
 * A series for display over [from, to] in `columns` pixel columns. With at most two frames per
 * column on average, every frame is kept; otherwise each column keeps its minimum and maximum per
 * channel (two points, at the column's start and middle), which draws the same envelope a
 * full-resolution line would at that width, so spikes survive and a 10-million-frame key becomes
 * a few thousand points.
 */
export function minMaxPoints(series: SignalSeries, from: number, to: number, columns: number): SeriesPoints {
  const channels = series.channels;
  if (series.frames <= 2 * columns) {
    const frames: Array<[number, number]> = [];
    series.forEachFrame((time, frame) => frames.push([time, frame]));
    frames.sort((a, b) => a[0] - b[0]);
    return {
      x: frames.map(([time]) => at(time)),
      y: Array.from({ length: channels }, (_, c) => frames.map(([, frame]) => shown(series.value(frame, c)))),
    };
  }
  const width = (to - from) / columns || 1;
  const lo = Array.from({ length: channels }, () => new Float64Array(columns).fill(Infinity));
  const hi = Array.from({ length: channels }, () => new Float64Array(columns).fill(-Infinity));
  const used = new Uint8Array(columns);
  series.forEachFrame((time, frame) => {
    const column = Math.min(columns - 1, Math.max(0, Math.floor((time - from) / width)));
    used[column] = 1;
    for (let c = 0; c < channels; c++) {
      const v = series.value(frame, c);
      if (v < lo[c]![column]!) lo[c]![column] = v;
      if (v > hi[c]![column]!) hi[c]![column] = v;
    }
  });
  const points: SeriesPoints = { x: [], y: Array.from({ length: channels }, () => []) };
  for (let column = 0; column < columns; column++) {
    if (!used[column]) continue;
    const start = from + column * width;
    points.x.push(at(start), at(start + width / 2));
    for (let c = 0; c < channels; c++) points.y[c]!.push(shown(lo[c]![column]!), shown(hi[c]![column]!));
  }
  return points;
}

/** Several series' points on one x axis (the union of their times), null where a series has none. */
export function alignPoints(all: readonly SeriesPoints[]): ChartData {
  const xs = [...new Set(all.flatMap((p) => p.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const out: ChartData = [xs];
  for (const points of all) {
    for (const channel of points.y) {
      const column: Array<number | null> = new Array<number | null>(xs.length).fill(null);
      points.x.forEach((x, i) => {
        column[index.get(x)!] = channel[i]!;
      });
      out.push(column);
    }
  }
  return out;
}

/**
 * Spectra (one per output frame, `bins` values each) as a heat map of at most `columns` × `rows`
 * cells: the maximum over the frames of a time column and the bins of a row. Cells without a frame
 * are null.
 */
export function heatMap(series: SignalSeries, from: number, to: number, columns: number, rows: number): { from: number; to: number; bins: number; cells: Array<Array<number | null>> } {
  const bins = series.channels;
  const rowCount = Math.min(rows, bins);
  const binsPerRow = bins / rowCount;
  const columnCount = Math.min(columns, series.frames);
  const width = (to - from) / columnCount || 1;
  const cells: Array<Array<number | null>> = Array.from({ length: columnCount }, () => new Array<number | null>(rowCount).fill(null));
  series.forEachFrame((time, frame) => {
    const column = cells[Math.min(columnCount - 1, Math.max(0, Math.floor((time - from) / width)))]!;
    for (let b = 0; b < bins; b++) {
      const row = Math.min(rowCount - 1, Math.floor(b / binsPerRow));
      const v = shown(series.value(frame, b));
      if (column[row] === null || v > column[row]!) column[row] = v;
    }
  });
  return { from, to, bins, cells };
}
