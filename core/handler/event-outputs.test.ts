/**
 * The function's view of an event stage's output: `ctx.events` in `output.value`, no message for
 * a record without events, several messages when `output.value` returns an array, a peak confirmed
 * by the next batch (from stored state) reported with its own sample's time, and `emit: 'batch'`
 * gathering the events of all the key's records.
 */
import { describe, expect, it } from 'vitest';
import { pipeline, type PipelineEvent } from '../dsp/pipeline.ts';
import { deviceReadings } from '../inputs/device-readings.ts';
import { readings } from '../inputs/readings.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { testHarness } from '../testing/harness.ts';
import { defineFunction } from './define-function.ts';

const T0 = 1_767_225_600_000;

/** Peaks above 1 per device; one message per event. */
const peakFunction = defineFunction({
  name: 'peak-events',
  pipeline: pipeline().peaks({ threshold: 1 }),
  input: deviceReadings(),
  output: {
    topic: 'peaks',
    value: ({ key, events }) => events.map((e) => ({ deviceId: key, index: e.index, at: e.timestamp, value: e.value, kind: e.kind, channel: e.channel })),
  },
});

const reading = (offset: number, data: number[], timestamp: number) => ({
  key: 'dev-1',
  offset,
  timestamp,
  value: { deviceId: 'dev-1', sampleRate: 100, timestamp, data },
});

describe('event outputs in a function', () => {
  it('gives output.value ctx.events; a record without events sends nothing; an array sends one message per event', async () => {
    const fn = testHarness(peakFunction);
    await fn.invoke(
      [
        reading(0, [0, 3, 0, 0.5, 2, 1], T0), // peaks at 1 (3) and 4 (2)
        reading(1, [0.2, 0.1, 0.3], T0 + 60), // none
        reading(2, [0.5, 4], T0 + 90), // 4 at 10 is not known yet
      ],
      { topic: 'in' },
    );
    const out = fn.sink.onTopic('peaks');
    expect(out.map((m) => m.headers['dspfn-source-offset'])).toEqual(['0', '0']);
    expect(out.map((m) => m.headers['dspfn-result-index'])).toEqual(['0', '1']);
    expect(fn.sink.json('peaks')).toEqual([
      { deviceId: 'dev-1', index: 1, at: T0 + 10, value: 3, kind: 'peak', channel: 0 },
      { deviceId: 'dev-1', index: 4, at: T0 + 40, value: 2, kind: 'peak', channel: 0 },
    ]);
    expect(fn.reports[0]).toMatchObject({ results: 2, deadLetters: 0, samples: 11 });
  });

  it('a peak confirmed by the next batch, from stored state, keeps the time of its own record', async () => {
    const state = new MemoryStateStore();
    await testHarness(peakFunction, { state }).invoke([reading(0, [0, 0.5, 7], T0)], { topic: 'in' });
    const next = testHarness(peakFunction, { state });
    await next.invoke([reading(1, [2, 9, 1], T0 + 5_000)], { topic: 'in' });
    // 7 at index 2 came at T0 + 20 ms (100 per second); 9 at index 4 at T0 + 5,010 ms.
    expect(next.sink.json('peaks')).toEqual([
      { deviceId: 'dev-1', index: 2, at: T0 + 20, value: 7, kind: 'peak', channel: 0 },
      { deviceId: 'dev-1', index: 4, at: T0 + 5_010, value: 9, kind: 'peak', channel: 0 },
    ]);
    // Both events of record 1 (one of them found in its first sample) come from record 1.
    expect(next.sink.onTopic('peaks').map((m) => m.headers['dspfn-source-offset'])).toEqual(['1', '1']);
  });

  it("a record undone by a failing output.value is redone with its time, so the next event's time holds", async () => {
    const fn = testHarness(
      defineFunction({
        name: 'undo-events',
        pipeline: pipeline().peaks({ threshold: 1 }),
        input: deviceReadings(),
        output: {
          topic: 'peaks',
          value: ({ events, record }) => {
            if (record.offset === 1) throw new Error('refused');
            return events.map((e) => [e.index, e.timestamp]);
          },
        },
      }),
    );
    // Record 0: a peak at 1, and 8 at 3 waits for its next sample. Record 1 confirms it but is
    // refused, so it is undone (record 0 redone); record 2 then confirms it: at record 0's time.
    await fn.invoke([reading(0, [0, 5, 1, 8], T0), reading(1, [2, 0, 6], T0 + 500), reading(2, [3], T0 + 900)], { topic: 'in' });
    expect(fn.sink.json('peaks')).toEqual([
      [1, T0 + 10],
      [3, T0 + 30],
    ]);
    expect(fn.sink.onTopic('peaks').map((m) => m.headers['dspfn-source-offset'])).toEqual(['0', '2']);
    expect(fn.sink.onTopic('in.dlq').map((m) => m.headers['dspfn-source-offset'])).toEqual(['1']);
  });

  it("emit: 'batch' gathers the events of all the key's records of the batch, each at its own time", async () => {
    const seen: PipelineEvent[][] = [];
    const fn = testHarness(
      defineFunction({
        name: 'crossing-batch',
        pipeline: pipeline().crossings({ high: 10, low: 5 }),
        input: readings({ key: 'sensorId', value: 'temp', timestamp: 'at', emit: 'batch' }),
        output: {
          topic: 'alarms',
          value: ({ key, events, timestamp }) => {
            seen.push([...events]);
            return { sensorId: key, first: timestamp, alarms: events.map((e) => `${e.kind}@${e.timestamp}`) };
          },
        },
      }),
    );
    const temps = [4, 11, 12, 6, 4, 10];
    await fn.invoke(
      [
        ...temps.map((temp, i) => ({ key: 's1', offset: i, value: { sensorId: 's1', temp, at: T0 + i * 1000 } })),
        { key: 's2', offset: 6, value: { sensorId: 's2', temp: 3, at: T0 } },
      ],
      { topic: 'in' },
    );
    // s2 has no event: no message.
    expect(fn.sink.json('alarms')).toEqual([{ sensorId: 's1', first: T0 + 1000, alarms: [`rising@${T0 + 1000}`, `falling@${T0 + 4000}`, `rising@${T0 + 5000}`] }]);
    expect(seen[0]!.map((e) => e.index)).toEqual([1, 4, 5]);
  });
});
