import cliProgress from 'cli-progress';
import type { ConsumeStats } from '../local/consume-stats.ts';
import type { ReplayProgress } from '../local/replay.ts';
import { formatStatusLine } from './render.ts';

export interface Progress {
  update(bytesDone: number, fields: { records: number; batches: number; deadLetters: number }): void;
  stop(): void;
}

/** A progress bar on a terminal; nothing when stderr is a pipe or file (CI logs stay clean). */
export function progressBar(totalBytes: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || totalBytes === 0) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {records} records | {batches} batches | {deadLetters} dead letters | eta {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalBytes, 0, { records: 0, batches: 0, deadLetters: 0 });
  return {
    update: (bytes, fields) => bar.update(bytes, fields),
    stop: () => bar.stop(),
  };
}

/** Draws a replay's progress from the library's progress events; started by the first one. */
export function replayProgress(enabled: boolean): { update(progress: ReplayProgress): void; stop(): void } {
  let bar: Progress | undefined;
  return {
    update(progress) {
      bar ??= progressBar(progress.totalBytes, enabled);
      bar.update(progress.bytesRead, progress);
    },
    stop: () => bar?.stop(),
  };
}

/** consume's one-line status on a terminal, redrawn from each stats event; nothing on a pipe. */
export function statusLine(enabled: boolean): { update(stats: ConsumeStats): void; stop(): void } {
  const active = enabled && process.stderr.isTTY;
  let drawn = false;
  return {
    update(stats) {
      if (!active) return;
      drawn = true;
      process.stderr.write(`\r\x1b[K ${formatStatusLine(stats)}`);
    },
    stop() {
      if (drawn) process.stderr.write('\n');
    },
  };
}
