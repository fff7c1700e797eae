import { describe, expect, it } from 'vitest';
import { MemoryStateStore, testHarness, type RecordInput } from 'dspfn/testing';
import { BANDS, FRAME, SAMPLE_RATE, handler } from './handler.ts';
import { base64Samples, exampleTelemetry, SAMPLE_RATE as SYNTHETIC_RATE, type ElementTelemetry } from './synthetic.ts';

interface RfiEvent {
  elementId: string;
  siteId: string;
  band: [number, number];
  frame: number;
  time: string;
  zScore: number;
  reportedRfiLevel: number;
}

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** ea-07 (bursts in records 30–33 and 60–61) and ea-12 (clean) interleaved, as a partition holds them. */
function batch(): RecordInput[] {
  const { noisy, clean } = exampleTelemetry(T0);
  const records = (values: readonly ElementTelemetry[], base: number) => values.map((value, r) => ({ key: value.elementId, offset: base + r, value }));
  const b = records(clean, noisy.length);
  return records(noisy, 0).flatMap((record, i) => [record, b[i]!]);
}

const frameTime = (frame: number) => new Date(T0 + (frame * FRAME * 1000) / SAMPLE_RATE).toISOString();

describe('rfi-detect', () => {
  const expected: RfiEvent[] = [
    // Record 30 starts at frame 120 (4 frames per record), record 60 at frame 240.
    { elementId: 'ea-07', siteId: 'vla', band: [512, 1024], frame: 120, time: frameTime(120), zScore: expect.any(Number), reportedRfiLevel: -62 },
    { elementId: 'ea-07', siteId: 'vla', band: [1536, 2049], frame: 240, time: frameTime(240), zScore: expect.any(Number), reportedRfiLevel: -62 },
  ] as never;

  it('flags each burst of interference once, in its band, at its first frame; a clean element sends nothing', async () => {
    const fn = testHarness(handler);
    await fn.invoke(batch(), { topic: 'element.raw_data' });
    const events = fn.sink.json<RfiEvent>('element.rfi');
    expect(events).toEqual(expected);
    expect(events.every((e) => e.zScore >= 6)).toBe(true);
    // From the records that hold the bursts' first frames, keyed by element.
    const messages = fn.sink.onTopic('element.rfi');
    expect(messages.map((m) => [m.key, m.headers['dspfn-source-offset']])).toEqual([
      ['ea-07', '30'],
      ['ea-07', '60'],
    ]);
    expect(fn.reports[0]).toMatchObject({ results: 2, deadLetters: 0 });
    expect(BANDS).toHaveLength(4);
    expect(SYNTHETIC_RATE).toBe(SAMPLE_RATE);
  });

  it('finds the same events when the stream arrives in other batches and invocations (state in between)', async () => {
    const records = batch();
    const state = new MemoryStateStore();
    const found: RfiEvent[] = [];
    // Batches of 1, 7, 13, … records, each in a new invocation that loads the elements' state.
    for (let at = 0, size = 1; at < records.length; at += size, size = (size * 7 + 5) % 31) {
      const fn = testHarness(handler, { state });
      await fn.invoke(records.slice(at, at + size), { topic: 'element.raw_data' });
      found.push(...fn.sink.json<RfiEvent>('element.rfi'));
    }
    expect(found).toEqual(expected);
  });

  it('dead-letters telemetry whose chunk is not float32 samples or whose metrics are missing, touching no state', async () => {
    const fn = testHarness(handler);
    const good = batch()[0]!;
    const value = good.value as Record<string, unknown>;
    await fn.invoke(
      [
        { key: 'ea-07', offset: 0, value: { ...value, data_chunk: 'not base64!' } },
        { key: 'ea-07', offset: 1, value: { ...value, data_chunk: Buffer.from([1, 2, 3]).toString('base64') } },
        { key: 'ea-07', offset: 2, value: { ...value, data_chunk: base64Samples(Float32Array.of(1, Number.NaN)) } },
        { key: 'ea-07', offset: 3, value: { ...value, metrics: { vibration: 0 } } },
        { key: 'ea-07', offset: 4, value: { ...value, data_chunk: undefined } }, // telemetry only: no samples, no message
      ],
      { topic: 'element.raw_data' },
    );
    const reasons = fn.sink.onTopic('element.raw_data.dlq').map((m) => String(m.headers['dspfn-error-reason']));
    expect(reasons).toEqual([
      expect.stringMatching(/data_chunk is not base64 text/),
      expect.stringMatching(/data_chunk holds 3 bytes, not whole float32 samples/),
      expect.stringMatching(/data_chunk sample 1 is not a finite number/),
      expect.stringMatching(/metrics\.rfiLevel must be a number/),
    ]);
    expect(fn.sink.onTopic('element.rfi')).toHaveLength(0);
    expect(fn.reports[0]).toMatchObject({ deadLetters: 4 });
  });
});
