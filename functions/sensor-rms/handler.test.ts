import { describe, expect, it } from 'vitest';
import { documentedEvent, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  partition: number;
  offset: number;
  rms: number[];
}

/** y = rms over 5 of (moving average over 10), computed directly from the definition in float64. */
function expected(samples: number[]): number[] {
  const ma = samples.map((_, n) => {
    const from = Math.max(0, n - 9);
    const win = samples.slice(from, n + 1).map((x) => Math.fround(x));
    return Math.fround(win.reduce((a, b) => a + b, 0) / win.length);
  });
  return ma.map((_, n) => {
    const win = ma.slice(Math.max(0, n - 4), n + 1);
    return Math.sqrt(win.reduce((a, b) => a + b * b, 0) / win.length);
  });
}

describe('sensor-rms', () => {
  it('emits the RMS of the moving average per device, keyed by device id', async () => {
    const fn = testHarness(handler);
    const data = Array.from({ length: 40 }, (_, i) => Math.sin(i / 3) * 2 + 0.5);
    await fn.invoke([
      { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: data.slice(0, 25) } },
      { key: 'dev-2', value: { deviceId: 'dev-2', sampleRate: 100, data: [1, 1, 1] } },
      { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: data.slice(25) } },
    ], { topic: 'sensors' });

    const results = fn.sink.json<Result>('sensor-rms');
    expect(results.map((r) => [r.deviceId, r.offset])).toEqual([
      ['dev-1', 0],
      ['dev-1', 2],
      ['dev-2', 1],
    ]);
    const dev1 = [...results[0]!.rms, ...results[1]!.rms];
    const want = expected(data);
    expect(dev1).toHaveLength(40);
    dev1.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    expect(results[2]!.rms).toEqual([1, 1, 1]);
    const message = fn.sink.onTopic('sensor-rms')[0]!;
    expect(message.key).toBe('dev-1');
    expect(message.headers['dspfn-source-topic']).toBe('sensors');
    expect(message.headers['dspfn-source-offset']).toBe('0');
  });

  it('accepts raw f32le samples keyed by the record key, chosen by content-type', async () => {
    const fn = testHarness(handler);
    await fn.invoke([
      { key: 'dev-9', value: new Float32Array([3, 3, 3, 3]), headers: { 'content-type': 'application/x-f32le' } },
    ]);
    expect(fn.sink.json<Result>('sensor-rms')[0]!.rms).toEqual([3, 3, 3, 3]);
  });

  it('dead-letters a malformed reading with its original bytes and reason, and keeps going', async () => {
    const fn = testHarness(handler);
    await fn.invoke(
      [
        { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: [1, 2] } },
        { key: 'dev-1', value: '{"deviceId": "dev-1", "data": "oops"}' },
        { key: 'dev-1', value: { deviceId: 'dev-1', sampleRate: 100, data: [3] } },
      ],
      { topic: 'sensors' },
    );
    expect(fn.sink.json<Result>('sensor-rms').map((r) => r.offset)).toEqual([0, 2]);
    const [letter] = fn.sink.onTopic('sensors.dlq');
    expect(String(letter!.value)).toBe('{"deviceId": "dev-1", "data": "oops"}');
    expect(letter!.headers['dspfn-source-offset']).toBe('1');
    expect(String(letter!.headers['dspfn-error-reason'])).toMatch(/invalid reading.*data/);
  });

  it('works with self-managed Kafka events too', async () => {
    const fn = testHarness(handler);
    await fn.invoke([{ value: { deviceId: 'a', sampleRate: 10, data: [2] } }], { selfManaged: true });
    expect(fn.sink.json<Result>('sensor-rms')).toEqual([{ deviceId: 'a', partition: 0, offset: 0, rms: [2] }]);
  });
  it('handles events in the shape Lambda documents, MSK and self-managed', async () => {
    const fn = testHarness(handler);
    await fn.invoke(documentedEvent('msk'));
    const results = fn.sink.json<Result>('sensor-rms');
    expect(results.map((r) => [r.deviceId, r.partition, r.offset])).toEqual([['dev-1', 0, 41], ['dev-2', 0, 42], ['dev-3', 1, 7]]);
    expected([1, 2, 3]).forEach((v, i) => expect(results[0]!.rms[i]).toBeCloseTo(v, 5));
    expected([0.5, -1.25, 3]).forEach((v, i) => expect(results[2]!.rms[i]).toBeCloseTo(v, 5));
    // The trace header of the record follows its result.
    expect(String(fn.sink.onTopic('sensor-rms')[0]!.headers.traceparent)).toMatch(/^00-4bf92f35/);

    const selfManaged = testHarness(handler);
    await selfManaged.invoke(documentedEvent('self-managed'));
    expect(selfManaged.sink.json<Result>('sensor-rms').map((r) => r.deviceId)).toEqual(['mic-7']);
    expect(selfManaged.sink.onTopic('raw-audio-ch-1.dlq').map((m) => m.headers['dspfn-source-offset'])).toEqual(['1501']);
  });
});
