import { describe, expect, it } from 'vitest';
import { testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  partition: number;
  offset: number;
  error: number[];
}

/** Reference noise x and a noisy signal d = tone + FIR(x), interleaved [x0, d0, x1, d1, …]. */
function recording(frames: number, start: number): { data: number[]; tone: number[] } {
  const data: number[] = [];
  const tone: number[] = [];
  const x = (n: number) => Math.sin(n * 12.9898) * 43758.5453 % 1;
  for (let n = start; n < start + frames; n++) {
    const s = 0.5 * Math.sin(n / 8);
    data.push(x(n), s + 0.7 * x(n) - 0.2 * (n > 0 ? x(n - 1) : 0));
    tone.push(s);
  }
  return { data, tone };
}

describe('noise-cancel', () => {
  it('removes the noise that is correlated with the reference, across records', async () => {
    const fn = testHarness(handler);
    const records = Array.from({ length: 8 }, (_, r) => ({
      key: 'mic-1',
      value: { deviceId: 'mic-1', sampleRate: 8000, data: recording(256, r * 256).data },
    }));
    await fn.invoke(records, { topic: 'audio' });
    const results = fn.sink.json<Result>('noise-cancelled');
    expect(results).toHaveLength(8);
    expect(results.every((r) => r.error.length === 256 && r.deviceId === 'mic-1')).toBe(true);
    const last = results.at(-1)!;
    const { tone, data } = recording(256, 7 * 256);
    const residual = Math.sqrt(last.error.reduce((sum, e, i) => sum + (e - tone[i]!) ** 2, 0) / 256);
    const noise = Math.sqrt(tone.reduce((sum, s, i) => sum + (data[2 * i + 1]! - s) ** 2, 0) / 256);
    expect(residual).toBeLessThan(noise / 5);
  });

  it('dead-letters a record whose samples are not whole [x, d] frames', async () => {
    const fn = testHarness(handler);
    await fn.invoke([{ key: 'mic-1', value: { deviceId: 'mic-1', sampleRate: 8000, data: [1, 2, 3] } }], { topic: 'audio' });
    expect(fn.sink.onTopic('noise-cancelled')).toHaveLength(0);
    expect(String(fn.sink.onTopic('audio.dlq')[0]!.headers['dspfn-error-reason'])).toMatch(/whole frames of 2/);
  });
});
