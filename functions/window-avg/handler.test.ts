import { readFileSync } from 'node:fs';
import type { MSKRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsBackend } from 'dspfn/adapters';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  key: string;
  windowStart: string;
  windowEnd: string;
  count: number;
  avg: number;
  min: number;
  max: number;
}

const events = new URL('./events.ndjson', import.meta.url).pathname;
const records = readFileSync(events, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as MSKRecord);

/**
 * The one-minute windows straight from the file: per partition in offset order, a reading is late
 * when its minute ended at or before the largest timestamp seen so far minus 10 s; the others are
 * grouped by key and minute (every window closes in the end: the replay's last tick).
 */
function expected(): { results: Result[]; late: string[]; bad: string[] } {
  const windows = new Map<string, number[]>();
  const late: string[] = [];
  const bad: string[] = [];
  for (const partition of [0, 1]) {
    let max = Number.NEGATIVE_INFINITY;
    for (const r of records.filter((x) => x.partition === partition).sort((a, b) => a.offset - b.offset)) {
      let value: { key: string; value: unknown; timestamp?: number };
      try {
        value = JSON.parse(Buffer.from(r.value, 'base64').toString()) as typeof value;
      } catch {
        bad.push(`${partition}@${r.offset}`);
        continue;
      }
      if (typeof value.value !== 'number' || value.timestamp === undefined) {
        bad.push(`${partition}@${r.offset}`);
        continue;
      }
      const start = Math.floor(value.timestamp / 60_000) * 60_000;
      if (start + 60_000 <= max - 10_000) {
        late.push(`${partition}@${r.offset}`);
        continue;
      }
      max = Math.max(max, value.timestamp);
      const id = `${value.key} ${start}`;
      windows.set(id, [...(windows.get(id) ?? []), Math.fround(value.value)]);
    }
  }
  const results = [...windows].map(([id, values]) => {
    const [key, start] = id.split(' ');
    return {
      key: key!,
      windowStart: new Date(Number(start)).toISOString(),
      windowEnd: new Date(Number(start) + 60_000).toISOString(),
      count: values.length,
      avg: values.reduce((a, b) => a + b, 0) / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
    };
  });
  return { results, late, bad };
}

const order = (a: Result, b: Result) => a.key.localeCompare(b.key) || a.windowStart.localeCompare(b.windowStart);
const where = (m: { headers: Record<string, unknown> }) => `${String(m.headers['dspfn-source-partition'])}@${String(m.headers['dspfn-source-offset'])}`;

describe('window-avg', () => {
  it('replays the bundled events into one-minute averages per key, whatever the batch size, late and bad records set aside', async () => {
    const want = expected();
    expect(want.late.length).toBeGreaterThan(0);
    for (const batchSize of [1, 7, 100]) {
      const sink = new MemorySink();
      const summary = await replay({ handler, events, sink, batchSize, backend: jsBackend, logLevel: 'silent' });
      const results = sink.json<Result>('output-results').sort(order);
      expect(results.map(({ avg: _, ...rest }) => rest)).toEqual(want.results.sort(order).map(({ avg: _, ...rest }) => rest));
      results.forEach((r, i) => expect(r.avg).toBeCloseTo(want.results[i]!.avg, 9));
      expect(sink.onTopic('input-events.late').map(where).sort()).toEqual(want.late.sort());
      expect(sink.onTopic('input-events.dlq').map(where).sort()).toEqual(want.bad.sort());
      expect(summary).toMatchObject({ late: want.late.length, deadLetters: want.bad.length });
    }
  });

  it('keeps a late reading’s bytes and says which window it missed', async () => {
    const fn = testHarness(handler);
    const t = Date.UTC(2026, 0, 1, 12, 0, 0);
    await fn.invoke([
      { key: 'k', value: { key: 'k', value: 1, timestamp: t + 5_000 } },
      { key: 'k', value: { key: 'k', value: 2, timestamp: t + 75_000 } },
      { key: 'k', value: { key: 'k', value: 3, timestamp: t + 30_000 } },
    ], { topic: 'input-events' });
    expect(fn.sink.json('output-results')).toEqual([
      { key: 'k', windowStart: '2026-01-01T12:00:00.000Z', windowEnd: '2026-01-01T12:01:00.000Z', count: 1, avg: 1, min: 1, max: 1 },
    ]);
    const [late] = fn.sink.onTopic('input-events.late');
    expect(JSON.parse(String(late!.value))).toEqual({ key: 'k', value: 3, timestamp: t + 30_000 });
    expect(late!.headers['dspfn-error-reason']).toBe(
      'event time 2026-01-01T12:00:30.000Z falls in window [2026-01-01T12:00:00.000Z, 2026-01-01T12:01:00.000Z) of key "k", closed when the watermark of input-events-0 reached 2026-01-01T12:01:05.000Z (allowed lateness 10s)',
    );
  });
});
