import { describe, expect, it } from 'vitest';
import { protobuf } from '../codecs/protobuf.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { ErrorCode } from '../errors.ts';
import { readings } from '../inputs/readings.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { testHarness } from '../testing/harness.ts';
import { defineFunction } from './define-function.ts';

const reading = (deviceId: string, value: number, second: number) => ({
  key: deviceId,
  value: { deviceId, sensorType: 'temperature', value, unit: '°C', timestamp: `2025-06-13T10:00:${String(second).padStart(2, '0')}.000Z` },
});

describe('readings in the handler', () => {
  it('turns one reading per record into one frame at its own time, keyed by fields, one result per record', async () => {
    const fn = testHarness(
      defineFunction({
        name: 'iot',
        input: readings({ key: (v) => `${v.deviceId as string}:${v.sensorType as string}`, value: 'value', timestamp: 'timestamp' }),
        pipeline: pipeline().movingAverage({ window: 2 }),
        output: { topic: 'out', value: ({ key, output, timestamp, block }) => ({ key, mean: output[0], at: new Date(timestamp).toISOString(), unit: (block.meta as { unit: string }).unit }) },
      }),
    );
    await fn.invoke([reading('d-1', 20, 0), reading('d-2', 5, 1), reading('d-1', 22, 2), { key: 'd-1', value: { deviceId: 'd-1', sensorType: 'temperature', value: 'n/a', timestamp: '2025-06-13T10:00:03Z' } }]);
    expect(fn.sink.json('out')).toEqual([
      { key: 'd-1:temperature', mean: 20, at: '2025-06-13T10:00:00.000Z', unit: '°C' },
      { key: 'd-1:temperature', mean: 21, at: '2025-06-13T10:00:02.000Z', unit: '°C' },
      { key: 'd-2:temperature', mean: 5, at: '2025-06-13T10:00:01.000Z', unit: '°C' },
    ]);
    const [letter] = fn.sink.ofKind('dead-letter');
    expect(String(letter!.headers['dspfn-error-reason'])).toBe('value field "value" is text, not a finite number');
  });

  it("emit: 'batch' gives one result per key per batch with every frame and its time; the state carries on across batches", async () => {
    const codec = protobuf({ schema: new URL('../codecs/fixtures/telemetry.proto', import.meta.url), type: 'telemetry.TelemetryFrame' });
    const definition = {
      name: 'telemetry',
      codec,
      input: readings({ value: ['speed', 'throttle', 'brake'], timestamp: 'timestamp', emit: 'batch' }),
      pipeline: pipeline({ channels: 3 }).movingAverage({ window: 2 }),
      output: {
        topic: 'out',
        value: ({ key, output, records }: { key: string; output: Float32Array; records?: ReadonlyArray<{ timestamp: number; record: { offset: number } }> }) => ({
          key,
          frames: records!.map((r, i) => ({ t: r.timestamp, offset: r.record.offset, y: Array.from(output.subarray(i * 3, i * 3 + 3)) })),
        }),
      },
    };
    const frame = async (t: number, speed: number) => ({ key: 's-1', value: await codec.encode({ timestamp: t, speed, throttle: 0.5, brake: 0 }) });
    const state = new MemoryStateStore();
    const first = testHarness(defineFunction(definition), { state });
    await first.invoke([await frame(1000, 100), await frame(1016, 120)], { topic: 'telemetry' });
    expect(first.sink.json('out')).toEqual([
      { key: 's-1', frames: [{ t: 1000, offset: 0, y: [100, 0.5, 0] }, { t: 1016, offset: 1, y: [110, 0.5, 0] }] },
    ]);
    const second = testHarness(defineFunction(definition), { state });
    await second.invoke([await frame(1000, 100), await frame(1016, 120), await frame(1033, 140)], { topic: 'telemetry' });
    expect(second.sink.json('out')).toEqual([{ key: 's-1', frames: [{ t: 1033, offset: 2, y: [130, 0.5, 0] }] }]);
    expect(second.reports[0]).toMatchObject({ skipped: 2, results: 1 });
  });

  it("emit: 'batch': when the one output fails, none of the key's records touches its state and each is dead-lettered", async () => {
    let fail = true;
    const definition = {
      name: 'batch-fail',
      input: readings({ emit: 'batch' }),
      pipeline: pipeline().movingAverage({ window: 4 }),
      output: {
        topic: 'out',
        value: ({ output }: { output: Float32Array }) => {
          if (fail) throw new Error('downstream format not ready');
          return Array.from(output);
        },
      },
    };
    const state = new MemoryStateStore();
    const fn = testHarness(defineFunction(definition), { state });
    await fn.invoke([{ key: 'k', value: { value: 4 } }, { key: 'k', value: { value: 8 } }], { topic: 'in' });
    expect(fn.sink.onTopic('in.dlq').map((m) => [m.headers['dspfn-source-offset'], m.headers['dspfn-error-code']])).toEqual([
      ['0', ErrorCode.Output],
      ['1', ErrorCode.Output],
    ]);
    expect(String(fn.sink.onTopic('in.dlq')[0]!.headers['dspfn-error-reason'])).toMatch(/threw: downstream format not ready \(one result for 2 record\(s\) of the batch\)/);
    expect(state.keys()).toEqual([]);
    fail = false;
    const retry = testHarness(defineFunction(definition), { state });
    await retry.invoke([{ key: 'k', value: { value: 4 }, offset: 2 }], { topic: 'in' });
    expect(retry.sink.json('out')).toEqual([4]);
  });

  it('refuses readings whose channels do not match the pipeline, at definition time', () => {
    expect(() =>
      defineFunction({ name: 'x', input: readings({ value: ['a', 'b'] }), pipeline: pipeline().movingAverage({ window: 2 }), output: { topic: 'o', value: () => 1 } }),
    ).toThrow(/the input gives 2 channel\(s\) \(a, b\) but the pipeline takes 1: use pipeline\(\{ channels: 2 \}\)/);
  });
});
