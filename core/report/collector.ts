import type { BatchReport } from '../handler/report.ts';
import type { SignalObserver } from '../handler/observer.ts';
import { Header, type OutputMessage, type Sink } from '../sink/sink.ts';
import { ErrorCode } from '../errors.ts';
import { alignPoints, heatMap, poolBins, seriesPoints, type ChartData, type SeriesPoints } from './downsample.ts';
import { SignalSeries } from './series.ts';
import { codeOf, SetAsideCounts } from './set-aside-counts.ts';

/** Stages whose output frames are spectra: drawn as a heat map when the pipeline ends in one. */
export const SPECTRAL_STAGES: ReadonlySet<string> = new Set(['spectrum', 'melSpectrogram', 'mfcc']);

export interface DeadLetterRow {
  topic: string;
  partition: string;
  offset: string;
  code: string;
  reason: string;
}

export interface KeyChart {
  key: string;
  inputFrames: number;
  outputFrames: number;
  /** Windows closed for the key (drawn as bars). */
  windows: number;
  /** More frames than the chart has pixel columns for: min/max per column. */
  downsampled: boolean;
  /** uPlot data: x, then the input channels, then the output channels (left out when drawn as a heat map), then the window bars. */
  data: ChartData;
  series: string[];
  /**
   * The window results: from series `first` (1-based, as uPlot counts them) on; the bar at x = data[0][i]
   * spans [data[0][i], ends[i]) (null where no bar starts), so windows of different lengths (session
   * windows) are drawn each over its own span. Downsampled windows: one bar per bucket, as wide as it.
   */
  bars?: { first: number; ends: Array<number | null> };
  heat?: ReturnType<typeof heatMap>;
}

/** Everything the HTML report shows. */
export interface ReportData {
  title: string;
  generatedAt: string;
  summary: Array<[string, string]>;
  deadLettersByCode: Array<[string, number]>;
  lateRecords: number;
  lateByReason: Array<[string, number]>;
  keysSeen: number;
  keys: KeyChart[];
  deadLetters: DeadLetterRow[];
  deadLettersShown: number;
  deadLettersTotal: number;
}

export interface CollectorOptions {
  /** Keys charted: the first this many to appear (default 50). */
  keys?: number;
  /** Pixel columns of the downsampled charts (default 2,000): the memory budget of each charted series. */
  columns?: number;
  /** The pipeline's stage names: a last spectral stage turns the output into a heat map. */
  stages: readonly string[];
  /** Dead letters listed in the table (default 1,000; all are counted). */
  deadLetterRows?: number;
}

const text = (value: string | Buffer | undefined): string => (value === undefined ? '' : String(value));

/** Which aggregate a window's bar shows: the first of these the function computes. */
const BAR_AGGREGATES = ['mean', 'rms', 'sum', 'max', 'min', 'last', 'first', 'stddev', 'count'] as const;
/** Rows of the spectra heat map: a spectrum's bins are pooled into at most this many. */
const HEAT_ROWS = 256;
/** Time columns of the spectra heat map. */
const HEAT_COLUMNS = 1_000;

interface KeySeries {
  input: SignalSeries;
  output: SignalSeries;
  /** Per window: the bar aggregate of each channel, then the window's length in ms (one more channel). */
  windows: SignalSeries;
  bins: number;
}

/**
 * Collects what a replay or consume run shows in its report: the samples in and out of the first
 * keys and their window results (as the handler's SignalObserver), the dead letters (through
 * `sink()`), and late records (through `onBatch`). Memory is bounded however long the run: by the
 * keys charted, each series' column budget (see SignalSeries) and the dead-letter rows kept.
 */
export class ReportCollector implements SignalObserver {
  private readonly series = new Map<string, KeySeries>();
  private readonly seen = new Set<string>();
  private readonly deadLetters: DeadLetterRow[] = [];
  /** Dead letters by code and late records by reason. */
  private readonly counts = new SetAsideCounts();
  private deadLetterTotal = 0;
  private late = 0;
  private barAggregate: (typeof BAR_AGGREGATES)[number] | undefined;
  private readonly limit: number;
  private readonly columns: number;
  private readonly rowLimit: number;
  private readonly spectral: boolean;
  private pooled = new Float32Array(0);

  constructor(options: CollectorOptions) {
    this.limit = options.keys ?? 50;
    this.columns = options.columns ?? 2_000;
    this.rowLimit = options.deadLetterRows ?? 1_000;
    const last = options.stages[options.stages.length - 1];
    this.spectral = last !== undefined && SPECTRAL_STAGES.has(last);
  }

  private seriesOf(key: string): KeySeries | undefined {
    const found = this.series.get(key);
    if (found) return found;
    if (this.seen.size < 1_000_000) this.seen.add(key);
    if (this.series.size >= this.limit) return undefined;
    const created: KeySeries = {
      input: new SignalSeries(this.columns),
      output: this.spectral ? new SignalSeries(HEAT_COLUMNS, 0) : new SignalSeries(this.columns),
      windows: new SignalSeries(this.columns, this.columns),
      bins: 0,
    };
    this.series.set(key, created);
    return created;
  }

  input(key: string, samples: Float32Array | readonly number[], channels: number, timestamp: number, sampleRate: number | undefined): void {
    this.seriesOf(key)?.input.append(samples, channels, Math.floor(samples.length / channels), timestamp, stepOf(sampleRate));
  }

  output(key: string, samples: Float32Array, channels: number, frames: number, timestamp: number, sampleRate: number | undefined): void {
    const series = this.seriesOf(key);
    if (series === undefined) return;
    if (!this.spectral) {
      series.output.append(samples, channels, frames, timestamp, stepOf(sampleRate));
      return;
    }
    // Spectra: each frame's bins pooled into the heat map's rows before they are kept.
    series.bins ||= channels;
    if (channels !== series.bins) return;
    const rows = Math.min(HEAT_ROWS, channels);
    if (this.pooled.length !== rows) this.pooled = new Float32Array(rows);
    for (let f = 0; f < frames; f++) {
      poolBins(samples, f * channels, channels, this.pooled);
      series.output.append(this.pooled, rows, 1, timestamp + f * stepOf(sampleRate), 1);
    }
  }

  window(key: string, start: number, end: number, channels: ReadonlyArray<Readonly<Record<string, number | undefined>>>): void {
    const series = this.seriesOf(key);
    if (series === undefined || channels.length === 0) return;
    this.barAggregate ??= BAR_AGGREGATES.find((a) => channels[0]![a] !== undefined);
    if (this.barAggregate === undefined) return;
    const values = channels.map((c) => c[this.barAggregate!] ?? Number.NaN);
    values.push(end - start);
    series.windows.append(values, values.length, 1, start, 1);
  }

  onBatch(report: BatchReport): void {
    this.late += report.late ?? 0;
    this.counts.onBatch(report);
  }

  /** The sink, passing every message on and noting the dead letters. */
  sink(inner: Sink): Sink {
    const note = (message: OutputMessage): void => {
      if (message.kind !== 'dead-letter') return;
      const code = codeOf(message);
      // Late records go to the late topic, counted by reason from the batch reports.
      if (code === ErrorCode.Late) return;
      this.deadLetterTotal++;
      this.counts.note(message);
      if (this.deadLetters.length < this.rowLimit) {
        this.deadLetters.push({
          topic: text(message.headers[Header.sourceTopic]),
          partition: text(message.headers[Header.sourcePartition]),
          offset: text(message.headers[Header.sourceOffset]),
          code,
          reason: text(message.headers[Header.errorReason]),
        });
      }
    };
    return {
      name: inner.name,
      async send(messages, source) {
        await inner.send(messages, source);
        for (const message of messages) note(message);
      },
      ...(inner.warm ? { warm: () => inner.warm!() } : {}),
      close: () => inner.close(),
    };
  }

  /** The report's data, downsampled for display. */
  data(title: string, summary: Array<[string, string]>): ReportData {
    const keys: KeyChart[] = [];
    for (const [key, { input, output, windows, bins }] of this.series) {
      if (input.frames + output.frames + windows.frames === 0) continue;
      const lines = this.spectral ? [input] : [input, output];
      const points = lines.filter((s) => s.frames > 0).map(seriesPoints);
      const names = [
        ...channelNames('input', input.channels),
        ...(this.spectral ? [] : channelNames('output', output.channels)),
      ];
      let barEnds: Map<number, number> | undefined;
      const barsFirst = names.length + 1;
      if (windows.frames > 0) {
        const drawn = windows.points();
        // Exact windows: each bar over its own [start, start + length). Downsampled: one bar per
        // bucket, its maximum, as wide as the bucket (the length channel is dropped).
        const bars: SeriesPoints =
          drawn.width === undefined ? seriesPoints(windows) : { x: drawn.x.filter((_, i) => i % 2 === 0), y: drawn.y.map((c) => c.filter((_, i) => i % 2 === 1)) };
        bars.y.pop();
        const lengths = drawn.y[drawn.y.length - 1]!; // unrounded (seriesPoints keeps 7 digits)
        barEnds = new Map(bars.x.map((x, i) => [x, x + (drawn.width ?? lengths[i]!)]));
        points.push(bars);
        names.push(...channelNames(`window ${this.barAggregate}`, windows.channels - 1));
      }
      const data = alignPoints(points);
      if (barEnds) {
        // The time axis runs to the end of the last window, so its bar is drawn whole.
        const end = Math.max(...barEnds.values());
        if (end > data[0][data[0].length - 1]!) for (const [i, column] of data.entries()) (column as Array<number | null>).push(i === 0 ? end : null);
      }
      const bars = barEnds ? { first: barsFirst, ends: data[0].map((x) => barEnds.get(x) ?? null) } : undefined;
      keys.push({
        key,
        inputFrames: input.frames,
        outputFrames: output.frames,
        windows: windows.frames,
        downsampled: input.downsampled || (!this.spectral && output.downsampled),
        data,
        series: names,
        ...(bars ? { bars } : {}),
        ...(this.spectral && output.frames > 0 ? { heat: heatMap(output, bins) } : {}),
      });
    }
    // The selector lists the charted keys in natural order (device-2 before device-10).
    keys.sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
    return {
      title,
      generatedAt: new Date().toISOString(),
      summary,
      deadLettersByCode: [...this.counts.deadLetters].sort((a, b) => b[1] - a[1]),
      lateRecords: this.late,
      lateByReason: [...this.counts.late].sort((a, b) => b[1] - a[1]),
      keysSeen: this.seen.size,
      keys,
      deadLetters: this.deadLetters,
      deadLettersShown: this.deadLetters.length,
      deadLettersTotal: this.deadLetterTotal,
    };
  }
}

/** Records without a sample rate are drawn 1 ms per frame. */
function stepOf(sampleRate: number | undefined): number {
  return sampleRate && sampleRate > 0 ? 1000 / sampleRate : 1;
}

function channelNames(name: string, channels: number): string[] {
  return Array.from({ length: channels }, (_, c) => (channels > 1 ? `${name} ${c}` : name));
}
