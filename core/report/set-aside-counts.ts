import { ErrorCode } from '../errors.ts';
import type { BatchReport } from '../handler/report.ts';
import { Header, type OutputMessage, type Sink } from '../sink/sink.ts';

/**
 * The dead letters a run produced by error code, and its late records by reason, for the run
 * summaries of `dspfn replay` and `consume` and their reports. Late records travel like dead
 * letters (to the late topic, code DSPFN_LATE) but are counted apart, by the reasons their batches
 * report.
 */
export class SetAsideCounts {
  readonly deadLetters = new Map<string, number>();
  readonly late = new Map<string, number>();

  /** The sink, passing every message on and counting the dead letters it took. */
  sink(inner: Sink): Sink {
    return {
      name: inner.name,
      send: async (messages, source) => {
        await inner.send(messages, source);
        for (const message of messages) this.note(message);
      },
      ...(inner.warm ? { warm: () => inner.warm!() } : {}),
      close: () => inner.close(),
    };
  }

  note(message: OutputMessage): void {
    if (message.kind !== 'dead-letter') return;
    const code = codeOf(message);
    if (code !== ErrorCode.Late) add(this.deadLetters, code);
  }

  onBatch(report: BatchReport): void {
    for (const [reason, n] of Object.entries(report.lateByReason ?? {})) add(this.late, reason, n);
  }
}

/** A set-aside message's error code (DSPFN_ERROR when it has none). */
export function codeOf(message: OutputMessage): string {
  const code = message.headers[Header.errorCode];
  return code === undefined || code.length === 0 ? 'DSPFN_ERROR' : String(code);
}

function add(counts: Map<string, number>, reason: string, n = 1): void {
  counts.set(reason, (counts.get(reason) ?? 0) + n);
}

/** Counts by reason, most first: `2 DSPFN_DECODE, 1 DSPFN_INVALID_SAMPLES`. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
}
