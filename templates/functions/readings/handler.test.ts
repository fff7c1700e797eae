import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  timestamp: string;
  value: number;
  smoothed: number;
}

describe('__name__', () => {
  it('smooths each device’s readings in order: y = y + 0.2 · (x − y), starting at the first reading', async () => {
    const fn = testHarness(handler);
    const values = [10, 12, 11, 15];
    await fn.invoke(values.map((value, i) => ({ key: 'dev-1', value: { deviceId: 'dev-1', value, timestamp: `2026-01-01T00:00:0${i}.000Z` } })));
    const results = fn.sink.json<Result>('__name__');
    let y = values[0]!;
    results.forEach((r, i) => {
      if (i > 0) y += 0.2 * (values[i]! - y);
      expect(r).toMatchObject({ deviceId: 'dev-1', timestamp: `2026-01-01T00:00:0${i}.000Z`, value: values[i] });
      expect(r.smoothed).toBeCloseTo(y, 5);
    });
  });

  it('dead-letters a reading without a number, with its original bytes', async () => {
    const fn = testHarness(handler);
    await fn.invoke([{ key: 'dev-1', value: '{"deviceId": "dev-1", "value": "high", "timestamp": 0}' }], { topic: 'readings' });
    const [letter] = fn.sink.onTopic('readings.dlq');
    expect(String(letter!.value)).toBe('{"deviceId": "dev-1", "value": "high", "timestamp": 0}');
    expect(String(letter!.headers['dspfn-error-reason'])).toBe('value field "value" is text, not a finite number');
  });

  it('replays events.ndjson as `dspfn replay` does: one result per good reading', async () => {
    const sink = new MemorySink();
    const summary = await replay({ handler, events: fileURLToPath(new URL('./events.ndjson', import.meta.url)), sink, logLevel: 'silent' });
    expect(summary).toMatchObject({ records: 25, results: 24, deadLetters: 1 });
  });
});
