import { formatCounts } from '../report/set-aside-counts.ts';
import type { ConsumeStats } from '../local/consume-stats.ts';
import type { ReplaySummary } from '../local/replay.ts';

/** A count and, when there is any, its breakdown by reason: `3 (2 DSPFN_DECODE, 1 DSPFN_INVALID_SAMPLES)`. */
function withReasons(total: number, byReason: Readonly<Record<string, number>> | undefined): string {
  const reasons = byReason ? formatCounts(byReason) : '';
  return total > 0 && reasons ? `${total} (${reasons})` : String(total);
}

function table(rows: ReadonlyArray<[string, string]>): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n');
}

export function formatSummary(summary: ReplaySummary, output?: string): string {
  return table(replaySummaryRows(summary, output));
}

/** The replay summary as label/value rows (the terminal table and the HTML report). */
export function replaySummaryRows(summary: ReplaySummary, output?: string): Array<[string, string]> {
  const seconds = summary.elapsedMs / 1000;
  const rows: Array<[string, string]> = [
    ['function', summary.function],
    ['backend', summary.backend],
    ['records', String(summary.records)],
    ['batches', String(summary.batches)],
    ['samples', String(summary.samples)],
    ['results', String(summary.results)],
    ['dead letters', withReasons(summary.deadLetters, summary.deadLettersByCode)],
    ...(summary.late > 0 ? [['late (to the late topic)', withReasons(summary.late, summary.lateByReason)] as [string, string]] : []),
    ['skipped (already applied)', String(summary.skipped)],
    ['retries', String(summary.retries)],
    ['elapsed', `${seconds.toFixed(3)} s`],
    ['records/s', summary.recordsPerSecond.toFixed(0)],
    ['samples/s', summary.samplesPerSecond.toFixed(0)],
    ['handler p50', `${summary.handlerP50Ms.toFixed(2)} ms`],
    ['handler p99', `${summary.handlerP99Ms.toFixed(2)} ms`],
  ];
  if (summary.onFailure) rows.splice(9, 0, ['on-failure', String(summary.onFailure)]);
  if (summary.tombstones) rows.splice(9, 0, ['tombstones (skipped)', String(summary.tombstones)]);
  if (output) rows.push(['output', output]);
  return rows;
}

function offsetList(offsets: Record<string, number>): string {
  return Object.entries(offsets)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([id, offset]) => `${id}@${offset}`)
    .join(' ');
}

export function formatConsumeSummary(stats: ConsumeStats): string {
  return table(consumeSummaryRows(stats));
}

/** The consume stats as label/value rows (the terminal table and the HTML report). */
export function consumeSummaryRows(stats: ConsumeStats): Array<[string, string]> {
  const partitions = offsetList(stats.committed);
  const rows: Array<[string, string]> = [
    ['function', stats.function],
    ['group', stats.groupId],
    ['records consumed', String(stats.consumed)],
    ['batches', String(stats.batches)],
    ['samples', String(stats.samples)],
    ['produced', `${stats.produced} (${stats.results} results, ${stats.logs} logs, ${stats.deadLetters} dead letters${stats.late ? `, ${stats.late} late` : ''}, ${stats.onFailure} on-failure)`],
    ...(stats.deadLetters > 0 ? [['dead letters', withReasons(stats.deadLetters, stats.deadLettersByCode)] as [string, string]] : []),
    ...(stats.late > 0 ? [['late (to the late topic)', withReasons(stats.late, stats.lateByReason)] as [string, string]] : []),
    ['errors', `${stats.errors} failed invocations, ${stats.partialFailures} partial${stats.dropped ? `, ${stats.dropped} records dropped` : ''}`],
    ['committed', partitions || 'none'],
    ['lag', String(stats.totalLag)],
    ['backpressure pauses', String(stats.pauses)],
    ['records/s', stats.recordsPerSecond.toFixed(0)],
    ['samples/s', stats.samplesPerSecond.toFixed(0)],
    ['latency p50', `${stats.latencyP50Ms.toFixed(0)} ms`],
    ['latency p99', `${stats.latencyP99Ms.toFixed(0)} ms`],
    ['handler p50', `${stats.handlerP50Ms.toFixed(2)} ms`],
    ['handler p99', `${stats.handlerP99Ms.toFixed(2)} ms`],
    ['elapsed', `${(stats.elapsedMs / 1000).toFixed(1)} s`],
  ];
  if (stats.commitErrors) rows.push(['commit errors', String(stats.commitErrors)]);
  const uncommitted = offsetList(stats.uncommitted);
  if (uncommitted) rows.push(['not committed', `${uncommitted} (processed; the group delivers them again)`]);
  if (stats.lastError) rows.push(['last error', stats.lastError]);
  return rows;
}

/** The one-line status a terminal shows while consuming. */
export function formatStatusLine(stats: ConsumeStats): string {
  return (
    `${stats.consumed} records | ${stats.produced} produced | ${stats.deadLetters} dead letters | ${stats.errors} errors` +
    ` | lag ${stats.totalLag} | ${stats.recordsPerSecond.toFixed(0)} rec/s | p99 ${stats.latencyP99Ms.toFixed(0)} ms`
  );
}
