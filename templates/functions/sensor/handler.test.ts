import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  partition: number;
  offset: number;
  rms: number[];
}

/** rms over 5 of (moving average over 10), computed directly from the definition in float64. */
function expected(samples: number[]): number[] {
  const ma = samples.map((_, n) => {
    const window = samples.slice(Math.max(0, n - 9), n + 1).map((x) => Math.fround(x));
    return Math.fround(window.reduce((a, b) => a + b, 0) / window.length);
  });
  return ma.map((_, n) => {
    const window = ma.slice(Math.max(0, n - 4), n + 1);
    return Math.sqrt(window.reduce((a, b) => a + b * b, 0) / window.length);
  });
}

describe('__name__', () => {
  it('emits the RMS of the moving average per device, carrying state across records', async () => {
    const fn = testHarness(handler);
    const data = Array.from({ length: 40 }, (_, i) => Math.sin(i / 3) * 2 + 0.5);
    await fn.invoke([
      { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: data.slice(0, 25) } },
      { key: 'dev-2', value: { deviceId: 'dev-2', sampleRate: 100, data: [1, 1, 1] } },
      { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: data.slice(25) } },
    ]);
    const results = fn.sink.json<Result>('__name__');
    expect(results.map((r) => [r.deviceId, r.offset])).toEqual([['dev-1', 0], ['dev-1', 2], ['dev-2', 1]]);
    const dev1 = [...results[0]!.rms, ...results[1]!.rms];
    expected(data).forEach((want, i) => expect(dev1[i]).toBeCloseTo(want, 5));
    expect(results[2]!.rms).toEqual([1, 1, 1]);
  });

  it('dead-letters a malformed reading with its original bytes and keeps going', async () => {
    const fn = testHarness(handler);
    await fn.invoke(
      [
        { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: [1, 2] } },
        { key: 'dev-1', value: '{"deviceId": "dev-1", "data": "oops"}' },
      ],
      { topic: 'sensors' },
    );
    expect(fn.sink.json<Result>('__name__').map((r) => r.offset)).toEqual([0]);
    const [letter] = fn.sink.onTopic('sensors.dlq');
    expect(String(letter!.value)).toBe('{"deviceId": "dev-1", "data": "oops"}');
  });

  it('replays events.ndjson as `dspfn replay` does: one result per record, no dead letters', async () => {
    const sink = new MemorySink();
    const events = fileURLToPath(new URL('./events.ndjson', import.meta.url));
    const summary = await replay({ handler, events, sink });
    expect(summary).toMatchObject({ records: 8, results: 8, deadLetters: 0 });
    expect(sink.json<Result>('__name__').every((r) => r.rms.length === 16)).toBe(true);
  });
});
