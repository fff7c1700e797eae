import { readFileSync } from 'node:fs';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { testHarness } from 'dspfn/testing';
import { handler } from './handler.ts';

interface Result {
  deviceId: string;
  sensorType: string;
  value: number;
  timestamp: string;
  zScore: number;
  status: 'normal' | 'warning' | 'critical';
}

const records = readFileSync(new URL('./events.ndjson', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as MSKRecord);

function event(batch: readonly MSKRecord[]): MSKEvent {
  const grouped: Record<string, MSKRecord[]> = {};
  for (const r of batch) (grouped[`${r.topic}-${r.partition}`] ??= []).push(r);
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1', bootstrapServers: 'b-1:9098', records: grouped };
}

/** z against the 20 readings of the same device and sensor before it (population deviation), in float64. */
function expected(): Array<{ deviceId: string; sensorType: string; timestamp: string; z: number }> {
  const history = new Map<string, number[]>();
  const out: Array<{ deviceId: string; sensorType: string; timestamp: string; z: number }> = [];
  for (const r of [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    let reading: { deviceId: string; sensorType: string; value: unknown; timestamp: string };
    try {
      reading = JSON.parse(Buffer.from(r.value, 'base64').toString()) as typeof reading;
    } catch {
      continue;
    }
    if (typeof reading.value !== 'number' || Number.isNaN(Date.parse(reading.timestamp))) continue;
    const key = `${reading.deviceId}/${reading.sensorType}`;
    const before = history.get(key) ?? [];
    const x = Math.fround(reading.value);
    let z = 0;
    if (before.length > 0) {
      const mean = before.reduce((a, b) => a + b, 0) / before.length;
      const sd = Math.sqrt(before.reduce((a, b) => a + (b - mean) ** 2, 0) / before.length);
      z = (x - mean) / Math.max(sd, 1e-12);
    }
    history.set(key, [...before, x].slice(-20));
    out.push({ deviceId: reading.deviceId, sensorType: reading.sensorType, timestamp: new Date(reading.timestamp).toISOString(), z });
  }
  return out;
}

const order = (a: { deviceId: string; sensorType: string; timestamp: string }, b: typeof a) =>
  a.deviceId.localeCompare(b.deviceId) || a.sensorType.localeCompare(b.sensorType) || a.timestamp.localeCompare(b.timestamp);

describe('iot-anomaly', () => {
  it('scores every reading of the bundled events against its device and sensor’s last 20, in batches of any size', async () => {
    const want = expected().sort(order);
    for (const size of [records.length, 9]) {
      const fn = testHarness(handler);
      for (let from = 0; from < records.length; from += size) await fn.invoke(event(records.slice(from, from + size)));
      const got = fn.sink.json<Result>('sensor-anomalies').sort(order);
      expect(got.map((r) => [r.deviceId, r.sensorType, r.timestamp])).toEqual(want.map((r) => [r.deviceId, r.sensorType, r.timestamp]));
      got.forEach((r, i) => {
        // float32 out of a float64 computation: relative precision (a key's second reading divides by the epsilon floor).
        expect(Math.abs(r.zScore - want[i]!.z)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i]!.z)));
        const z = Math.abs(want[i]!.z);
        expect(r.status).toBe(z >= 3 ? 'critical' : z >= 2 ? 'warning' : 'normal');
      });
      expect(got.filter((r) => r.status === 'critical').map((r) => [r.deviceId, r.sensorType])).toContainEqual(['device-001', 'temperature']);
      // Results are keyed by device: a device's statuses stay in order downstream.
      expect(fn.sink.onTopic('sensor-anomalies').every((m) => m.key === JSON.parse(String(m.value)).deviceId)).toBe(true);
      expect(fn.sink.onTopic('sensors-data.dlq').map((m) => m.headers['dspfn-error-reason'])).toEqual([
        'value field "value" is text, not a finite number',
        'timestamp field "timestamp" is neither ISO-8601 (e.g. 2025-06-13T10:00:00.000Z) nor epoch milliseconds',
        'value is not valid JSON at position 23',
      ]);
    }
  });
});
