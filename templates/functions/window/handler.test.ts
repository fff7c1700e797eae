import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  start: string;
  end: string;
  count: number;
  mean: number;
  min: number;
  max: number;
}

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();

describe('__name__', () => {
  it('emits each device’s minute once the newest reading is 10 s past its end, and sends later readings to the late topic', async () => {
    const fn = testHarness(handler);
    const reading = (deviceId: string, value: number, seconds: number) => ({ key: deviceId, value: { deviceId, value, timestamp: at(seconds) } });
    await fn.invoke([reading('dev-1', 1, 5), reading('dev-2', 8, 20), reading('dev-1', 3, 50), reading('dev-1', 5, 65)], { topic: 'readings' });
    expect(fn.sink.json<Result>('__name__')).toEqual([]);
    await fn.invoke([{ ...reading('dev-1', 7, 70), offset: 4 }, { ...reading('dev-2', 2, 30), offset: 5 }], { topic: 'readings' });
    expect(fn.sink.json<Result>('__name__')).toEqual([
      { deviceId: 'dev-1', start: at(0), end: at(60), count: 2, mean: 2, min: 1, max: 3 },
      { deviceId: 'dev-2', start: at(0), end: at(60), count: 1, mean: 8, min: 8, max: 8 },
    ]);
    const [late] = fn.sink.onTopic('readings.late');
    expect(JSON.parse(String(late!.value))).toEqual({ deviceId: 'dev-2', value: 2, timestamp: at(30) });
  });

  it('replays events.ndjson as `dspfn replay` does: every minute of every device, the last ones closed by the final tick', async () => {
    const sink = new MemorySink();
    const summary = await replay({ handler, events: fileURLToPath(new URL('./events.ndjson', import.meta.url)), sink, logLevel: 'silent' });
    const results = sink.json<Result>('__name__');
    // 3 devices, readings over 3 minutes.
    expect(results.map((r) => `${r.deviceId} ${r.start}`).sort()).toEqual(
      ['device-001', 'device-002', 'device-003'].flatMap((d) => [0, 60, 120].map((s) => `${d} ${at(s)}`)),
    );
    expect(results.reduce((n, r) => n + r.count, 0)).toBe(36);
    expect(summary).toMatchObject({ records: 36, results: 9, deadLetters: 0, late: 0 });
  });
});
