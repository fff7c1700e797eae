/**
 * What the event stages mean in a pipeline, beyond the conformance suite (which holds the kernels to
 * their definitions and the native paths to the kernels): each stage's semantics on hand-written
 * signals, events timed at their own samples (a peak confirmed by the next record keeps its own
 * record's time, across a snapshot too), event stages after rate-changing ones, and the rule that an
 * event stage is last.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, SnapshotError } from '../../../../errors.ts';
import { jsBackend } from '../../../backend.ts';
import { decodeSnapshot } from '../../../snapshot.ts';
import { pipeline, type PipelineEvent } from '../../../pipeline.ts';

const brief = (events: readonly PipelineEvent[]) => events.map(({ channel, index, value, kind }) => ({ channel, index, value, kind }));

describe('event stages', () => {
  it('peaks: above the threshold, rising into it, not lower than the next; plateaus count once; minDistance holds later peaks back', () => {
    const p = pipeline().peaks({ threshold: 1 }).create(jsBackend);
    //                                            0  1  2  3  4  5  6    7  8  9
    const out = p.run(Float32Array.of(5, 0, 3, 2, 4, 4, 1, 0.5, 1, 9), { timestamp: 0, sampleRate: 1000 });
    // 5 at n = 0 is no peak (n ≥ 1); 3 at 2; the plateau 4, 4 at 4 once; 1 at 8 is not above 1; 9 at 9 is not known yet.
    expect(brief(out.events)).toEqual([
      { channel: 0, index: 2, value: 3, kind: 'peak' },
      { channel: 0, index: 4, value: 4, kind: 'peak' },
    ]);
    // The next record decides it: 9 at 9 is a peak once 8 follows.
    expect(brief(p.run(Float32Array.of(8), { timestamp: 10, sampleRate: 1000 }).events)).toEqual([{ channel: 0, index: 9, value: 9, kind: 'peak' }]);

    const spaced = pipeline().peaks({ threshold: 0, minDistance: 3 }).create(jsBackend);
    const events = spaced.run(Float32Array.of(0, 2, 0, 3, 0, 4, 0, 1, 0), { timestamp: 0, sampleRate: 1 }).events;
    // 3 is 2 after 1 (held back); 5 is 4 after 1; 7 is 2 after 5 (held back: the distance counts from the peaks kept).
    expect(events.map((e) => e.index)).toEqual([1, 5]);
  });

  it('crossings: a key starts below, events alternate, the band between low and high holds the side', () => {
    const p = pipeline({ channels: 2 }).crossings({ high: 1, low: -1 }).create(jsBackend);
    // channel 0: 2 (rising at once), 0.5, -1 (falling), 0.9, 1 (rising); channel 1: -5 (nothing: below already), 0, 0, 3 (rising), -0.5
    const samples = Float32Array.of(2, -5, 0.5, 0, -1, 0, 0.9, 3, 1, -0.5);
    expect(brief(p.run(samples, { timestamp: 0, sampleRate: 10 }).events)).toEqual([
      { channel: 0, index: 0, value: 2, kind: 'rising' },
      { channel: 0, index: 2, value: -1, kind: 'falling' },
      { channel: 1, index: 3, value: 3, kind: 'rising' },
      { channel: 0, index: 4, value: 1, kind: 'rising' },
    ]);
    expect(() => pipeline().crossings({ high: 1, low: 1 })).toThrow(/low must be less than high/);
  });

  it('clipDetect: one event per run of |x| ≥ threshold, at its first sample; a run across records is one event', () => {
    const p = pipeline().clipDetect({ threshold: 1 }).create(jsBackend);
    expect(brief(p.run(Float32Array.of(0, -1, 1.5, 0.2, 1), { timestamp: 0, sampleRate: 1 }).events)).toEqual([
      { channel: 0, index: 1, value: -1, kind: 'clip' },
      { channel: 0, index: 4, value: 1, kind: 'clip' },
    ]);
    expect(p.run(Float32Array.of(-3, 2), { timestamp: 5, sampleRate: 1 }).events).toEqual([]); // the run goes on
    expect(brief(p.run(Float32Array.of(0.5, 7), { timestamp: 7, sampleRate: 1 }).events)).toEqual([{ channel: 0, index: 8, value: 7, kind: 'clip' }]);
    expect(() => pipeline().clipDetect({ threshold: 0 })).toThrow(ConfigError);
  });

  it('times each event at its own sample: the block time plus its offset at the block rate', () => {
    const p = pipeline().crossings({ high: 1, low: 0 }).create(jsBackend);
    const out = p.run(Float32Array.of(0, 0, 2, 0, 0, 0, 3), { timestamp: 1_700_000_000_000, sampleRate: 4 });
    expect(out.events.map((e) => [e.index, e.timestamp])).toEqual([
      [2, 1_700_000_000_500],
      [3, 1_700_000_000_750],
      [6, 1_700_000_001_500],
    ]);
    expect(out.timestamp).toBe(1_700_000_000_500); // the first event's
    expect(out.sampleRate).toBeUndefined();
    expect(out.frames).toBe(3);
    expect(Array.from(out.samples)).toEqual([0, 0, 2, 0, 1, 0, 0, 0, 3]); // [channel, kind code, value] per event
    expect(p.run(Float32Array.of(5), { timestamp: undefined, sampleRate: undefined }).events).toEqual([]);
    expect(p.process(Float32Array.of(-1))).toEqual(Float32Array.of(0, 1, -1));
  });

  it('a peak confirmed by the next record keeps its own record time, also after the state is stored and restored', () => {
    const spec = pipeline().peaks({ threshold: 0 });
    // One reading per record at irregular event times, no sample rate (readings()).
    const times = [1000, 1500, 4000, 9000, 9100];
    const values = [0, 5, 1, 7, 2];
    let p = spec.create(jsBackend);
    const found: PipelineEvent[] = [];
    values.forEach((value, n) => {
      if (n === 2 || n === 4) {
        // A new batch (or invocation): the key's state comes back from its snapshot.
        const restored = spec.create(jsBackend);
        restored.restore(p.snapshot());
        p = restored;
      }
      found.push(...p.run(Float32Array.of(value), { timestamp: times[n], sampleRate: undefined }).events);
    });
    expect(found.map((e) => [e.index, e.value, e.timestamp])).toEqual([
      [1, 5, 1500],
      [3, 7, 9000],
    ]);
  });

  it('keeps its clock after the event stage state in snapshots, and refuses a damaged clock', () => {
    const p = pipeline().clipDetect({ threshold: 1 }).create(jsBackend);
    p.run(Float32Array.of(0, 1, 0.5), { timestamp: 200, sampleRate: 10 });
    const bytes = p.snapshot();
    const state = decodeSnapshot(bytes).stages[0]!.state;
    const clock = new DataView(state.buffer, state.byteOffset + state.length - 16, 16);
    expect([clock.getFloat64(0, true), clock.getFloat64(8, true)]).toEqual([2, 400]);
    const damaged = bytes.slice();
    damaged.fill(0xff, bytes.length - 16, bytes.length - 8); // the index becomes NaN
    expect(() => pipeline().clipDetect({ threshold: 1 }).create(jsBackend).restore(damaged)).toThrow(SnapshotError);
    expect(() => pipeline().clipDetect({ threshold: 1 }).create(jsBackend).restore(damaged)).toThrow(/clipDetect event clock/);
  });

  it('after a rate-changing stage, counts and times the frames it gets (band power frames)', () => {
    const spec = pipeline().bandPower({ size: 16, hop: 8, bands: [[0, 500]], sampleRate: 1000 }).crossings({ high: 1, low: 0.5 });
    const p = spec.create(jsBackend);
    const quiet = new Float32Array(32);
    const loud = Float32Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 3 : -3) * Math.sin(i / 3));
    expect(p.run(quiet, { timestamp: 10_000, sampleRate: undefined }).events).toEqual([]); // frames 0 … 2
    const out = p.run(loud, { timestamp: 10_032, sampleRate: undefined });
    // Frame 3 covers samples 24 … 39 (the first loud one at 32): it rises; frames are 8 ms apart, each timed at its first sample.
    expect(out.events[0]).toMatchObject({ channel: 0, index: 3, kind: 'rising', timestamp: 10_024 });
  });

  it('is the last stage of a pipeline: a stage after an event stage is a ConfigError naming it', () => {
    expect(() => pipeline().peaks({ threshold: 0 }).gain({ factor: 2 })).toThrow(ConfigError);
    expect(() => pipeline().crossings({ high: 1, low: 0 }).ema({ alpha: 0.5 })).toThrow(/ema cannot follow crossings: an event stage outputs events/);
    expect(() => pipeline().ema({ alpha: 0.5 }).crossings({ high: 1, low: 0 })).not.toThrow();
  });
});
