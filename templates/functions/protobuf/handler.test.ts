import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { codec, handler } from './handler.ts';

interface Result {
  deviceId: string;
  value: number;
  smoothed: number;
  timestamp: number;
}

/** y = y + 0.3·(x − y) from the first reading on, in float64 from the float32 readings. */
function ema(values: readonly number[]): number[] {
  let y = Math.fround(values[0]!);
  return values.map((x) => (y += 0.3 * (Math.fround(x) - y)));
}

const T0 = Date.UTC(2026, 0, 1);
// Offsets go on across invocations, as in a partition: a redelivered offset would be skipped.
let offset = 0;
const reading = async (deviceId: string, value: number, n: number, framing?: { kind: 'confluent'; schemaId: number; messageIndexes: number[] }) => ({
  offset: offset++,
  key: deviceId,
  value: await codec.encode({ deviceId, value, timestamp: T0 + n * 1000 }, framing),
});

describe('__name__', () => {
  it('smooths each device on its own, framed or not, at the readings\' event times, across batches', async () => {
    const fn = testHarness(handler);
    const values = [3.5, 3.9, 3.2, 4.8, 4.1, 3.7];
    await fn.invoke(await Promise.all(values.slice(0, 3).map((v, n) => reading('pump-1', v, n))));
    await fn.invoke([
      ...(await Promise.all(values.slice(3).map((v, n) => reading('pump-1', v, 3 + n, { kind: 'confluent', schemaId: 7, messageIndexes: [0] })))),
      await reading('pump-2', 10, 0),
    ]);
    const results = fn.sink.json<Result>('__name__');
    const pump1 = results.filter((r) => r.deviceId === 'pump-1');
    expect(pump1.map((r) => r.value)).toEqual(values);
    ema(values).forEach((want, i) => expect(pump1[i]!.smoothed).toBeCloseTo(want, 5));
    expect(pump1.map((r) => r.timestamp)).toEqual(values.map((_, n) => T0 + n * 1000));
    expect(results.find((r) => r.deviceId === 'pump-2')).toMatchObject({ value: 10, smoothed: 10 });
  });

  it('dead-letters bytes that are not a Reading, with the bytes as they came, and keeps going', async () => {
    const fn = testHarness(handler);
    const garbage = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f);
    await fn.invoke([await reading('pump-1', 1, 0), { key: 'pump-1', value: garbage }], { topic: 'readings' });
    expect(fn.sink.json<Result>('__name__')).toHaveLength(1);
    const [letter] = fn.sink.onTopic('readings.dlq');
    expect([...letter!.value!]).toEqual([...garbage]);
    expect(String(letter!.headers['dspfn-error-code'])).toBe('DSPFN_DECODE');
  });

  it('replays events.ndjson as `dspfn replay` does: one result per record, no dead letters', async () => {
    const sink = new MemorySink();
    const events = fileURLToPath(new URL('./events.ndjson', import.meta.url));
    const summary = await replay({ handler, events, sink });
    expect(summary).toMatchObject({ records: 8, results: 8, deadLetters: 0 });
    expect(new Set(sink.json<Result>('__name__').map((r) => r.deviceId))).toEqual(new Set(['pump-1', 'pump-2']));
  });
});
