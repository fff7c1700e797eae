import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  partition: number;
  offset: number;
  cleaned: number[];
}

/** Reference noise x and a noisy signal d = tone + FIR(x), interleaved [x0, d0, x1, d1, …]. */
function recording(frames: number, start: number): { data: number[]; tone: number[] } {
  const data: number[] = [];
  const tone: number[] = [];
  const x = (n: number) => ((Math.sin(n * 12.9898) * 43758.5453) % 1);
  for (let n = start; n < start + frames; n++) {
    const s = 0.5 * Math.sin(n / 8);
    data.push(x(n), s + 0.7 * x(n) - 0.2 * (n > 0 ? x(n - 1) : 0));
    tone.push(s);
  }
  return { data, tone };
}

function rms(values: number[]): number {
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
}

describe('__name__', () => {
  it('removes the noise that is correlated with the reference, across records', async () => {
    const fn = testHarness(handler);
    await fn.invoke(
      Array.from({ length: 8 }, (_, r) => ({ key: 'mic-1', value: { deviceId: 'mic-1', sampleRate: 8000, data: recording(256, r * 256).data } })),
    );
    const results = fn.sink.json<Result>('__name__');
    expect(results).toHaveLength(8);
    const { tone, data } = recording(256, 7 * 256);
    const residual = rms(results.at(-1)!.cleaned.map((e, i) => e - tone[i]!));
    const noise = rms(tone.map((s, i) => data[2 * i + 1]! - s));
    expect(residual).toBeLessThan(noise / 5);
  });

  it('dead-letters a record whose samples are not whole [x, d] frames', async () => {
    const fn = testHarness(handler);
    await fn.invoke([{ key: 'mic-1', value: { deviceId: 'mic-1', sampleRate: 8000, data: [1, 2, 3] } }], { topic: 'audio' });
    expect(fn.sink.onTopic('__name__')).toHaveLength(0);
    expect(String(fn.sink.onTopic('audio.dlq')[0]!.headers['dspfn-error-reason'])).toMatch(/whole frames of 2/);
  });

  it('replays events.ndjson as `dspfn replay` does: one result per record, no dead letters', async () => {
    const sink = new MemorySink();
    const events = fileURLToPath(new URL('./events.ndjson', import.meta.url));
    const summary = await replay({ handler, events, sink });
    expect(summary).toMatchObject({ records: 8, results: 8, deadLetters: 0 });
    expect(sink.json<Result>('__name__').every((r) => r.cleaned.length === 32)).toBe(true);
  });
});
