import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from 'dspfn/local';
import { MemorySink, testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  timestamp: number;
  average: number;
}

/** A sensors.Reading in protobuf wire format: 1 deviceId (length-delimited), 2 value (double), 3 timestamp (varint). */
function encode(deviceId: string, value: number, timestamp: number): Buffer {
  const id = Buffer.from(deviceId);
  const double = Buffer.alloc(8);
  double.writeDoubleLE(value);
  const varint: number[] = [];
  for (let n = BigInt(timestamp); ; n >>= 7n) {
    if (n < 0x80n) {
      varint.push(Number(n));
      break;
    }
    varint.push(Number(n & 0x7fn) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x0a, id.length]), id, Buffer.from([0x11]), double, Buffer.from([0x18, ...varint])]);
}
/** Confluent framing: magic 0, schema id 7, message index [0]. */
const confluent = (bytes: Uint8Array) => Buffer.concat([Buffer.from([0, 0, 0, 0, 7, 0]), bytes]);

describe('__name__', () => {
  it('averages each device’s last 5 readings, framed or not, with a protobuf content-type header', async () => {
    const fn = testHarness(handler);
    const values = [1, 2, 3, 4, 5, 6];
    await fn.invoke(
      values.map((value, i) => {
        const bytes = encode('dev-1', value, 1_767_225_600_000 + i);
        return { key: 'dev-1', value: i % 2 ? confluent(bytes) : bytes, headers: { 'content-type': 'application/x-protobuf' } };
      }),
    );
    const results = fn.sink.json<Result>('__name__');
    expect(results.map((r) => r.timestamp)).toEqual(values.map((_, i) => 1_767_225_600_000 + i));
    expect(results.map((r) => r.average)).toEqual([1, 1.5, 2, 2.5, 3, 4]);
  });

  it('dead-letters bytes that are not a Reading, with the parser’s reason', async () => {
    const fn = testHarness(handler);
    await fn.invoke([{ key: 'dev-1', value: Buffer.from([0x0a, 0xff]) }], { topic: 'readings' });
    const [letter] = fn.sink.onTopic('readings.dlq');
    expect(letter!.headers['dspfn-error-code']).toBe('DSPFN_DECODE');
  });

  it('replays events.ndjson as `dspfn replay` does', async () => {
    const sink = new MemorySink();
    const summary = await replay({ handler, events: fileURLToPath(new URL('./events.ndjson', import.meta.url)), sink, logLevel: 'silent' });
    expect(summary).toMatchObject({ records: 20, results: 20, deadLetters: 0 });
  });
});
