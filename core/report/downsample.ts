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
 * A series for display: every frame while it is short, else min and max per bucket (the series'
 * bounded form, see SignalSeries), which draws the same envelope a full-resolution line would at
 * that width, so spikes survive and a 10-million-frame key becomes a few thousand points.
 */
export function seriesPoints(series: SignalSeries): SeriesPoints {
  const { x, y } = series.points();
  return { x: x.map(at), y: y.map((channel) => channel.map(shown)) };
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
 * Spectra (one per output frame, their bins already pooled into rows by their maximum) as a heat
 * map: one column per time bucket of the series, the maximum of its frames per row. Cells
 * without a frame are null.
 */
export function heatMap(series: SignalSeries, bins: number): { from: number; to: number; bins: number; cells: Array<Array<number | null>> } {
  const buckets = series.columnsView()!;
  const rows = buckets.channels;
  const cells: Array<Array<number | null>> = [];
  for (let column = 0; column <= buckets.last - buckets.base; column++) {
    cells.push(Array.from({ length: rows }, (_, r) => (buckets.used[column] ? shown(buckets.hi[column * rows + r]!) : null)));
  }
  return { from: buckets.base * buckets.width, to: (buckets.last + 1) * buckets.width, bins, cells };
}

/** A spectrum's `bins` values pooled into at most `rows` rows by their maximum (into `out`). */
export function poolBins(spectrum: ArrayLike<number>, from: number, bins: number, out: Float32Array): void {
  const rows = out.length;
  out.fill(-Infinity);
  for (let b = 0; b < bins; b++) {
    const row = Math.min(rows - 1, Math.floor((b * rows) / bins));
    const v = spectrum[from + b]!;
    if (v > out[row]!) out[row] = v;
  }
}
