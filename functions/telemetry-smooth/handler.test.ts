import { readFileSync } from 'node:fs';
import protobufjs from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { testHarness } from 'dspfn/testing';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { handler } from './handler.ts';

interface Result {
  sessionId: string;
  timestamp: number;
  lapNumber: number;
  speed: number;
  throttle: number;
  brake: number;
}

const records = readFileSync(new URL('./events.ndjson', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as MSKRecord);

function event(batch: readonly MSKRecord[]): MSKEvent {
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1', bootstrapServers: 'b-1:9098', records: { 'telemetry-0': [...batch] } };
}

/** The frames as a producer wrote them, read with protobufjs directly (bad records left out). */
const type = new protobufjs.Root().loadSync(new URL('./telemetry.proto', import.meta.url).pathname, { keepCase: true }).lookupType('telemetry.TelemetryFrame');
function frames(): Array<{ offset: number; timestamp: number; speed: number; throttle: number; brake: number }> {
  return records.flatMap((r) => {
    try {
      const bytes = Buffer.from(r.value, 'base64');
      const frame = type.toObject(type.decode(bytes.subarray(6)), { longs: Number, defaults: true }) as Record<string, number>;
      return [{ offset: r.offset, timestamp: frame.timestamp!, speed: frame.speed!, throttle: frame.throttle!, brake: frame.brake! }];
    } catch {
      return [];
    }
  });
}

/** Moving average over the last 5 frames, in float64 from the float32 inputs. */
function smoothed(values: readonly number[]): number[] {
  return values.map((_, n) => {
    const window = values.slice(Math.max(0, n - 4), n + 1);
    return window.reduce((a, b) => a + b, 0) / window.length;
  });
}

describe('telemetry-smooth', () => {
  it('smooths speed, throttle and brake per session from the bundled protobuf events, with the session headers', async () => {
    const fn = testHarness(handler);
    await fn.invoke(event(records.slice(0, 60)));
    await fn.invoke(event(records.slice(60)));
    const results = fn.sink.json<Result>('telemetry-smooth');
    const good = frames();
    expect(good).toHaveLength(120);
    expect(results).toHaveLength(120);
    for (const channel of ['speed', 'throttle', 'brake'] as const) {
      const want = smoothed(good.map((f) => f[channel]));
      results.forEach((r, i) => expect(r[channel]).toBeCloseTo(want[i]!, 4));
    }
    expect(results.map((r) => r.timestamp)).toEqual(good.map((f) => f.timestamp));
    expect(results[0]).toMatchObject({ sessionId: 'session-abc123', lapNumber: 3 });
    const message = fn.sink.onTopic('telemetry-smooth')[0]!;
    expect(message.key).toBe('session-abc123');
    expect([String(message.headers.sessionId), String(message.headers.userId)]).toEqual(['session-abc123', 'user-456']);
  });

  it('dead-letters the records that are not TelemetryFrames, with their bytes and the parser reason, and keeps going', async () => {
    const fn = testHarness(handler);
    await fn.invoke(event(records));
    const letters = fn.sink.onTopic('telemetry.dlq');
    expect(letters.map((l) => l.headers['dspfn-source-offset'])).toEqual(['41', '82']);
    expect(letters[0]!.value).toEqual(Buffer.from(records[41]!.value, 'base64'));
    for (const letter of letters) {
      expect(letter.headers['dspfn-error-code']).toBe('DSPFN_DECODE');
      expect(String(letter.headers['dspfn-error-reason'])).toMatch(/^value is not a valid protobuf telemetry\.TelemetryFrame: /);
    }
    expect(fn.reports[0]).toMatchObject({ records: 122, results: 120, deadLetters: 2 });
  });
});
