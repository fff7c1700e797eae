import cliProgress from 'cli-progress';

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
