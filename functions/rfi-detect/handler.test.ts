import { describe, expect, it } from 'vitest';
import { MemoryStateStore, testHarness, type RecordInput } from 'dspfn/testing';
import { BANDS, FRAME, SAMPLE_RATE, handler } from './handler.ts';

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
const CHUNK = 1024; // samples per record: 0.25 s, 4 frames
const RECORDS = 70;

/** A deterministic uniform generator in [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Narrowband interference: [first record, last record, frequency Hz, amplitude]. */
type Burst = readonly [number, number, number, number];

/** An element's visibility stream: noise of σ ≈ 0.58 plus the bursts. */
function stream(seed: number, bursts: readonly Burst[]): Float32Array {
  const random = uniform(seed);
  const out = new Float32Array(RECORDS * CHUNK);
  for (let n = 0; n < out.length; n++) {
    let x = random() + random() + random() + random() - 2;
    for (const [from, to, frequency, amplitude] of bursts) {
      const record = Math.floor(n / CHUNK);
      if (record >= from && record <= to) x += amplitude * Math.sin((2 * Math.PI * frequency * n) / SAMPLE_RATE);
    }
    out[n] = x;
  }
  return out;
}

function base64(samples: Float32Array): string {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
}

/** Seed 002's telemetry, one record per chunk, with the element's own RFI reading. */
function telemetry(elementId: string, samples: Float32Array, offsetBase: number, rfiLevel: (record: number) => number): RecordInput[] {
  return Array.from({ length: RECORDS }, (_, r) => ({
    key: elementId,
    offset: offsetBase + r,
    value: {
      sourceId: `element-vla-${elementId}`,
      targetId: 'site-1',
      routeType: 'node_to_hub',
      elementId,
      siteId: 'vla',
      timestamp: new Date(T0 + (r * CHUNK * 1000) / SAMPLE_RATE).toISOString(),
      metrics: { vibration: 0.01, powerUsage: 412, noiseFloor: -97, rfiLevel: rfiLevel(r) },
      data_chunk: base64(samples.subarray(r * CHUNK, (r + 1) * CHUNK)),
    },
  }));
}

/** Element A: a 700 Hz carrier in records 30–33, a 1,800 Hz one in records 60–61. Element B: clean. */
function batch(): RecordInput[] {
  const a = telemetry('ea-07', stream(7, [[30, 33, 700, 3], [60, 61, 1800, 2]]), 0, (r) => ((r >= 30 && r <= 33) || r === 60 || r === 61 ? -62 : -95));
  const b = telemetry('ea-12', stream(12, []), RECORDS, () => -96);
  // Interleaved as a partition would hold them.
  return a.flatMap((record, i) => [record, b[i]!]);
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
        { key: 'ea-07', offset: 2, value: { ...value, data_chunk: base64(Float32Array.of(1, Number.NaN)) } },
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
