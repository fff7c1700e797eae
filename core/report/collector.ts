import type { BatchReport } from '../handler/report.ts';
import type { SignalObserver } from '../handler/observer.ts';
import { Header, type OutputMessage, type Sink } from '../sink/sink.ts';
import { alignPoints, heatMap, minMaxPoints, type ChartData } from './downsample.ts';
import { SignalSeries } from './series.ts';

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
  /** More frames than the chart has pixel columns for: min/max per column. */
  downsampled: boolean;
  /** uPlot data: x, then the input channels, then the output channels (left out when drawn as a heat map). */
  data: ChartData;
  series: string[];
  heat?: ReturnType<typeof heatMap>;
}

/** Everything the HTML report shows. */
export interface ReportData {
  title: string;
  generatedAt: string;
  summary: Array<[string, string]>;
  deadLettersByCode: Array<[string, number]>;
  lateRecords: number;
  keysSeen: number;
  keys: KeyChart[];
  deadLetters: DeadLetterRow[];
  deadLettersShown: number;
  deadLettersTotal: number;
}

export interface CollectorOptions {
  /** Keys charted: the first this many to appear (default 50). */
  keys?: number;
  /** Pixel columns of the downsampled charts (default 2,000). */
  columns?: number;
  /** The pipeline's stage names: a last spectral stage turns the output into a heat map. */
  stages: readonly string[];
  /** Dead letters listed in the table (default 1,000; all are counted). */
  deadLetterRows?: number;
}

const text = (value: string | Buffer | undefined): string => (value === undefined ? '' : String(value));

/**
 * Collects what a replay or consume run shows in its report: the samples in and out of the first
 * keys (as the handler's SignalObserver), the dead letters (through `sink()`), and late records
 * (through `onBatch`). Memory is bounded by the keys charted and the dead-letter rows kept.
 */
export class ReportCollector implements SignalObserver {
  private readonly series = new Map<string, { input: SignalSeries; output: SignalSeries }>();
  private readonly seen = new Set<string>();
  private readonly deadLetters: DeadLetterRow[] = [];
  private readonly byCode = new Map<string, number>();
  private deadLetterTotal = 0;
  private late = 0;
  private readonly limit: number;
  private readonly rowLimit: number;
  private readonly spectral: boolean;

  constructor(private readonly options: CollectorOptions) {
    this.limit = options.keys ?? 50;
    this.rowLimit = options.deadLetterRows ?? 1_000;
    const last = options.stages[options.stages.length - 1];
    this.spectral = last !== undefined && SPECTRAL_STAGES.has(last);
  }

  private seriesOf(key: string): { input: SignalSeries; output: SignalSeries } | undefined {
    const found = this.series.get(key);
    if (found) return found;
    if (this.seen.size < 1_000_000) this.seen.add(key);
    if (this.series.size >= this.limit) return undefined;
    const created = { input: new SignalSeries(), output: new SignalSeries() };
    this.series.set(key, created);
    return created;
  }

  input(key: string, samples: Float32Array | readonly number[], channels: number, timestamp: number, sampleRate: number | undefined): void {
    this.seriesOf(key)?.input.append(samples, channels, Math.floor(samples.length / channels), timestamp, sampleRate);
  }

  output(key: string, samples: Float32Array, channels: number, frames: number, timestamp: number, sampleRate: number | undefined): void {
    this.seriesOf(key)?.output.append(samples, channels, frames, timestamp, sampleRate);
  }

  onBatch(report: BatchReport): void {
    this.late += report.lateRecords ?? 0;
  }

  /** The sink, passing every message on and noting the dead letters. */
  sink(inner: Sink): Sink {
    const note = (message: OutputMessage): void => {
      if (message.kind !== 'dead-letter') return;
      this.deadLetterTotal++;
      const code = text(message.headers[Header.errorCode]) || 'DSPFN_ERROR';
      this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
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
    const columns = this.options.columns ?? 2_000;
    const keys: KeyChart[] = [];
    for (const [key, { input, output }] of this.series) {
      const spans = [input.span(), output.span()].filter((s): s is [number, number] => s !== undefined);
      if (spans.length === 0) continue;
      const from = Math.min(...spans.map((s) => s[0]));
      const to = Math.max(...spans.map((s) => s[1]));
      const drawn = this.spectral ? [input] : [input, output];
      const points = drawn.filter((s) => s.frames > 0).map((s) => minMaxPoints(s, from, to, columns));
      const names = [
        ...Array.from({ length: input.channels }, (_, c) => (input.channels > 1 ? `input ${c}` : 'input')),
        ...(this.spectral ? [] : Array.from({ length: output.channels }, (_, c) => (output.channels > 1 ? `output ${c}` : 'output'))),
      ];
      keys.push({
        key,
        inputFrames: input.frames,
        outputFrames: output.frames,
        downsampled: input.frames > 2 * columns || output.frames > 2 * columns,
        data: alignPoints(points),
        series: names,
        ...(this.spectral && output.frames > 0 ? { heat: heatMap(output, from, to, Math.min(columns, 1_000), 256) } : {}),
      });
    }
    // The selector lists the charted keys in natural order (device-2 before device-10).
    keys.sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
    return {
      title,
      generatedAt: new Date().toISOString(),
      summary,
      deadLettersByCode: [...this.byCode].sort((a, b) => b[1] - a[1]),
      lateRecords: this.late,
      keysSeen: this.seen.size,
      keys,
      deadLetters: this.deadLetters,
      deadLettersShown: this.deadLetters.length,
      deadLettersTotal: this.deadLetterTotal,
    };
  }
}
