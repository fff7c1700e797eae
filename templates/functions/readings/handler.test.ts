import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  sensor: string;
  value: number;
  mean: number;
  timestamp: number;
}

/** Mean of the last 5 values (fewer at the start), in float64 from the float32 readings. */
function means(values: readonly number[]): number[] {
  return values.map((_, n) => {
    const window = values.slice(Math.max(0, n - 4), n + 1).map((v) => Math.fround(v));
    return window.reduce((a, b) => a + b, 0) / window.length;
  });
}

// Offsets go on across invocations, as in a partition: a redelivered offset would be skipped.
let offset = 0;
const reading = (deviceId: string, sensorType: string, value: number, second: number) => ({
  offset: offset++,
  key: deviceId,
  value: { deviceId, sensorType, value, timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString() },
});

describe('__name__', () => {
  it('smooths each sensor of each device on its own, at the readings\' event times, across batches', async () => {
    const fn = testHarness(handler);
    const temperature = [21.5, 21.7, 21.6, 22.4, 22.1, 21.9, 22.0];
    await fn.invoke([...temperature.slice(0, 4).map((v, i) => reading('dev-1', 'temperature', v, i)), reading('dev-1', 'humidity', 40, 0)]);
    await fn.invoke(temperature.slice(4).map((v, i) => reading('dev-1', 'temperature', v, 4 + i)));
    const results = fn.sink.json<Result>('__name__');
    const dev1 = results.filter((r) => r.sensor === 'dev-1:temperature');
    expect(dev1.map((r) => r.value)).toEqual(temperature);
    means(temperature).forEach((want, i) => expect(dev1[i]!.mean).toBeCloseTo(want, 5));
    expect(dev1.map((r) => r.timestamp)).toEqual(temperature.map((_, i) => Date.UTC(2026, 0, 1, 0, 0, i)));
    expect(results.find((r) => r.sensor === 'dev-1:humidity')).toMatchObject({ value: 40, mean: 40 });
  });

  it('dead-letters a reading without a numeric value, with its original bytes, and keeps going', async () => {
    const fn = testHarness(handler);
    const bad = '{"deviceId":"dev-1","sensorType":"temperature","value":"warm","timestamp":"2026-01-01T00:00:00Z"}';
    await fn.invoke([reading('dev-1', 'temperature', 21.5, 0), { key: 'dev-1', value: bad }], { topic: 'readings' });
    expect(fn.sink.json<Result>('__name__')).toHaveLength(1);
    const [letter] = fn.sink.onTopic('readings.dlq');
    expect(String(letter!.value)).toBe(bad);
    expect(String(letter!.headers['dspfn-error-reason'])).toMatch(/value/);
  });

  it('replays events.ndjson as `dspfn replay` does: one result per record, no dead letters', async () => {
    const sink = new MemorySink();
    const events = fileURLToPath(new URL('./events.ndjson', import.meta.url));
    const summary = await replay({ handler, events, sink });
    expect(summary).toMatchObject({ records: 8, results: 8, deadLetters: 0 });
    expect(new Set(sink.json<Result>('__name__').map((r) => r.sensor))).toEqual(new Set(['device-001:temperature', 'device-002:temperature']));
  });
});
