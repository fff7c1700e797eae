// The bad-input table: every kind of record a producer, a broker or a hand-edited file can hand a
// function, each in a batch between good records of the same key and another key, delivered twice.
// For every kind: nothing lost (each record is a result, a dead letter or a counted tombstone),
// nothing applied twice (the redelivery changes no state and sends no result; good results equal a
// run without the bad record), every bad record dead-lettered with its bytes, key, headers and a
// reason, every --out line parses, and no secret — nor the payload — in any reason or log line.
import type { MSKRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { f32leBytes, kafkaRecord, type RecordInput } from '../events/build.ts';
import type { KafkaEvent } from '../events/types.ts';
import { deviceReadings } from '../inputs/device-readings.ts';
import { jsonLogger } from '../logger/logger.ts';
import { MemorySink } from '../sink/memory.ts';
import { outputLineText } from '../sink/ndjson.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { defineFunction } from './define-function.ts';
import type { BatchReport } from './report.ts';

/** Planted in bad payloads and in the environment: it must never show up outside a dead letter's own bytes. */
const CANARY = 'CANARY-s3cr3t-7f1d';

const fn = defineFunction({
  name: 'bad-input',
  pipeline: pipeline().movingAverage({ window: 4 }).rms({ window: 3 }),
  input: deviceReadings(),
  output: { topic: 'out', value: ({ key, record, output }) => ({ key, offset: record.offset, rms: Array.from(output) }) },
  deadLetterTopic: 'dlq',
});

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const reading = (deviceId: string, data: unknown, extra: object = {}) => json({ deviceId, sampleRate: 100, data, ...extra });
const f32 = (...samples: number[]) => f32leBytes(Float32Array.from(samples));
const F32LE = { 'content-type': 'application/x-f32le' };

type Outcome = 'DSPFN_DECODE' | 'DSPFN_INVALID_SAMPLES' | 'tombstone' | 'applied';
interface Kind {
  name: string;
  /** The bad record, as values or as the raw wire record (fields replaced on a good one). */
  input?: RecordInput;
  wire?: Record<string, unknown>;
  outcome: Outcome;
}

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

const KINDS: Kind[] = [
  { name: 'value that is not JSON', input: { key: 'dev-1', value: Buffer.from(`{"deviceId":"dev-1","password":"${CANARY}"`) }, outcome: 'DSPFN_DECODE' },
  { name: 'value that is not base64', wire: { value: `not base64! ${CANARY}` }, outcome: 'DSPFN_DECODE' },
  { name: 'value in base64 with line breaks', wire: { value: 'eyJkZXZp\nY2VJZCI6MX0=' }, outcome: 'DSPFN_DECODE' },
  { name: 'key that is not base64', wire: { key: '%%%' }, outcome: 'DSPFN_DECODE' },
  { name: 'value that is a JSON number in the event', wire: { value: 12345 }, outcome: 'DSPFN_DECODE' },
  { name: 'data of the wrong type', input: { key: 'dev-1', value: reading('dev-1', `${CANARY}`) }, outcome: 'DSPFN_DECODE' },
  { name: 'a string among the samples', input: { key: 'dev-1', value: reading('dev-1', [1, CANARY, 3]) }, outcome: 'DSPFN_DECODE' },
  { name: 'deviceId that is a number', input: { key: 'dev-1', value: json({ deviceId: 7, data: [1] }) }, outcome: 'DSPFN_DECODE' },
  { name: 'empty deviceId', input: { key: 'dev-1', value: reading('', [1]) }, outcome: 'DSPFN_DECODE' },
  { name: 'negative sample rate', input: { key: 'dev-1', value: reading('dev-1', [1], { sampleRate: -5 }) }, outcome: 'DSPFN_DECODE' },
  { name: 'a JSON array instead of a reading', input: { key: 'dev-1', value: json([1, 2, 3]) }, outcome: 'DSPFN_DECODE' },
  { name: 'JSON null', input: { key: 'dev-1', value: Buffer.from('null') }, outcome: 'DSPFN_DECODE' },
  { name: 'NaN written into JSON', input: { key: 'dev-1', value: Buffer.from('{"deviceId":"dev-1","data":[NaN]}') }, outcome: 'DSPFN_DECODE' },
  { name: 'JSON number beyond float32', input: { key: 'dev-1', value: reading('dev-1', [1, 1e39]) }, outcome: 'DSPFN_INVALID_SAMPLES' },
  { name: 'JSON number below -float32', input: { key: 'dev-1', value: reading('dev-1', [-3.5e38]) }, outcome: 'DSPFN_INVALID_SAMPLES' },
  { name: 'f32le NaN sample', input: { key: 'dev-1', value: f32(1, Number.NaN), headers: F32LE }, outcome: 'DSPFN_INVALID_SAMPLES' },
  { name: 'f32le Infinity sample', input: { key: 'dev-1', value: f32(Number.POSITIVE_INFINITY), headers: F32LE }, outcome: 'DSPFN_INVALID_SAMPLES' },
  { name: 'f32le length not a multiple of 4', input: { key: 'dev-1', value: Buffer.from([0, 0, 128, 63, 1]), headers: F32LE }, outcome: 'DSPFN_INVALID_SAMPLES' },
  { name: 'empty value (JSON codec)', input: { key: 'dev-1', value: Buffer.alloc(0) }, outcome: 'DSPFN_DECODE' },
  { name: 'empty f32le value (no samples: applied, no message)', input: { key: 'dev-1', value: Buffer.alloc(0), headers: F32LE }, outcome: 'applied' },
  { name: 'tombstone: absent value', input: { key: 'dev-1' }, outcome: 'tombstone' },
  { name: 'tombstone: null value', wire: { value: null }, outcome: 'tombstone' },
  { name: 'absent key on f32le (keyed by record key)', input: { value: f32(1), headers: F32LE }, outcome: 'DSPFN_DECODE' },
  { name: 'binary key on f32le (not UTF-8)', input: { key: Uint8Array.from([0xff, 0xfe, 0x00]), value: f32(1), headers: F32LE }, outcome: 'DSPFN_DECODE' },
  { name: 'binary key on JSON (key from the payload)', input: { key: Uint8Array.from([0xff, 0x80]), value: reading('dev-1', [5]) }, outcome: 'applied' },
  { name: 'absent key on JSON (key from the payload)', input: { value: reading('dev-1', [5]) }, outcome: 'applied' },
  { name: 'huge record: 1 MiB of f32le samples', input: { key: 'dev-1', value: f32leBytes(Float32Array.from({ length: 262_144 }, (_, i) => Math.sin(i))), headers: F32LE }, outcome: 'applied' },
  { name: 'deep nesting', input: { key: 'dev-1', value: Buffer.from(`{"deviceId":"dev-1","data":${nested(5_000)}}`) }, outcome: 'DSPFN_DECODE' },
  { name: 'nesting deeper than the parser goes', input: { key: 'dev-1', value: Buffer.from(nested(100_000)) }, outcome: 'DSPFN_DECODE' },
  { name: 'long key (64 KiB)', input: { key: 'k'.repeat(65_536), value: reading('d'.repeat(65_536), [2, 3]) }, outcome: 'applied' },
  { name: 'header bytes out of range', wire: { headers: [{ 'content-type': [300, -500] }] }, outcome: 'DSPFN_DECODE' },
  { name: 'header that is not an object', wire: { headers: ['traceparent'] }, outcome: 'DSPFN_DECODE' },
  // A media type nothing maps leaves the value to the function's codec (contentTypes)…
  { name: 'unknown content type over JSON', input: { key: 'dev-1', value: reading('dev-1', [1]), headers: { 'content-type': 'application/xml' } }, outcome: 'applied' },
  // …whose failure then names the content type only when it looks like one, never 10 KiB of garbage.
  { name: 'unknown content type over bytes that are not JSON', input: { key: 'dev-1', value: Buffer.from('<a/>'), headers: { 'content-type': 'application/xml' } }, outcome: 'DSPFN_DECODE' },
  { name: 'content type of 10 KiB garbage over bytes that are not JSON', input: { key: 'dev-1', value: Buffer.from('<a/>'), headers: { 'content-type': `${CANARY}`.repeat(600) } }, outcome: 'DSPFN_DECODE' },
  { name: 'JSON content type over bytes that are not JSON', input: { key: 'dev-1', value: Buffer.from([0xff, 0x00, 0x7b]), headers: { 'content-type': 'application/json' } }, outcome: 'DSPFN_DECODE' },
  { name: 'byte order mark before the JSON', input: { key: 'dev-1', value: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), reading('dev-1', [1])]) }, outcome: 'DSPFN_DECODE' },
  { name: 'timestamp that is not a number', wire: { timestamp: 'yesterday' }, outcome: 'DSPFN_DECODE' },
];

const TOPIC = 'sensors';
const good = (offset: number, deviceId: string, data: number[]): MSKRecord => kafkaRecord({ topic: TOPIC, offset, key: deviceId, value: reading(deviceId, data), headers: { traceparent: `tp-${offset}` } });

/** The bad record at offset 1, between good records of its key (dev-1) and another key (dev-2). */
function batchWith(kind: Kind | undefined): MSKRecord[] {
  const records = [good(0, 'dev-1', [1, 2]), good(2, 'dev-1', [3, 4, 5]), good(3, 'dev-2', [9])];
  if (!kind) return records;
  const bad = kind.input
    ? kafkaRecord({ ...kind.input, topic: TOPIC, offset: 1, headers: { traceparent: 'tp-1', ...kind.input.headers } })
    : ({ ...good(1, 'dev-1', [7]), ...kind.wire } as MSKRecord);
  return [records[0]!, bad, ...records.slice(1)];
}

function eventOf(records: readonly MSKRecord[]): KafkaEvent {
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1', bootstrapServers: 'b:9092', records: { [`${TOPIC}-0`]: [...records] } } as KafkaEvent;
}

async function run(records: readonly MSKRecord[]) {
  const sink = new MemorySink();
  const state = new MemoryStateStore();
  const logs: string[] = [];
  const reports: BatchReport[] = [];
  const bound = fn.dspfn.withRuntime({ sink, state, backend: jsBackend, logger: jsonLogger({}, 'debug', (line) => logs.push(line)), onBatch: (r) => reports.push(r) });
  await bound(eventOf(records), lambdaContext());
  const afterFirst = await state.load(['bad-input:dev-1', 'bad-input:dev-2']);
  const sentFirst = sink.messages.length;
  await bound(eventOf(records), lambdaContext()); // redelivered
  const afterSecond = await state.load(['bad-input:dev-1', 'bad-input:dev-2']);
  return { sink, logs, reports, afterFirst, afterSecond, sentFirst };
}

describe('the bad-input table', () => {
  it(`covers at least 25 kinds of record (${KINDS.length})`, () => {
    expect(KINDS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(KINDS.map((k) => k.name)).size).toBe(KINDS.length);
  });

  it.each(KINDS)('$name → $outcome', async (kind) => {
    process.env.DSPFN_KAFKA_PASSWORD = CANARY;
    try {
      const records = batchWith(kind);
      const { sink, logs, reports, afterFirst, afterSecond, sentFirst } = await run(records);
      const [first, second] = reports;
      const deadLetters = sink.ofKind('dead-letter');
      const firstLetters = deadLetters.slice(0, deadLetters.length / 2);

      // Nothing lost: every record is applied, a dead letter or a counted tombstone.
      expect(first!.applied + first!.deadLetters + first!.tombstones).toBe(records.length);
      expect(first).toMatchObject({
        records: records.length,
        deadLetters: kind.outcome.startsWith('DSPFN_') ? 1 : 0,
        tombstones: kind.outcome === 'tombstone' ? 1 : 0,
      });
      // Nothing applied twice: the redelivery finds every applied record fenced off.
      expect(second).toMatchObject({ results: 0, applied: 0, skipped: first!.applied, committed: 0 });
      expect(afterSecond).toEqual(afterFirst);
      // The bad record touched no state: the good records' results are those of a batch without it.
      if (kind.outcome !== 'applied') {
        const without = await run(batchWith(undefined));
        expect(sink.json('out').slice(0, first!.results)).toEqual(without.sink.json('out').slice(0, 3));
      }

      // Dead-lettered with its bytes, key, headers, location and a reason.
      if (kind.outcome.startsWith('DSPFN_')) {
        expect(firstLetters).toHaveLength(1);
        const letter = firstLetters[0]!;
        const raw = records[1]!;
        expect(letter.topic).toBe('dlq');
        expect(letter.headers['dspfn-error-code']).toBe(kind.outcome);
        expect(letter.headers['dspfn-source-offset']).toBe('1');
        expect(String(letter.headers['dspfn-error-reason']).length).toBeGreaterThan(0);
        const sent = Buffer.from(letter.value!);
        if (kind.input) expect(sent.equals(Buffer.from(raw.value, 'base64'))).toBe(true);
        else if (typeof kind.wire?.value === 'string') expect(sent.toString()).toBe(kind.wire.value);
        else if ('value' in (kind.wire ?? {})) expect(sent.toString()).toBe(JSON.stringify(kind.wire!.value));
        else expect(sent.equals(Buffer.from(raw.value, 'base64'))).toBe(true);
        if (kind.input?.key !== undefined && kind.input.key !== null) expect(Buffer.from(letter.key!).equals(Buffer.from(kind.input.key))).toBe(true);
        if (!kind.wire?.headers) expect(String(letter.headers.traceparent)).toBe('tp-1');
      } else {
        expect(firstLetters).toEqual([]);
      }
      expect(sentFirst).toBe(first!.results + first!.deadLetters);

      // Every --out line parses; no secret, nor payload, in any reason or log line.
      for (const message of sink.messages) expect(() => JSON.parse(outputLineText(message)) as unknown).not.toThrow();
      const reasons = deadLetters.map((m) => String(m.headers['dspfn-error-reason']));
      for (const text of [...reasons, ...logs, ...sink.ofKind('result').map((m) => String(m.value))]) {
        expect(text.toLowerCase()).not.toContain(CANARY.toLowerCase());
      }
      for (const reason of reasons) expect(reason.length).toBeLessThan(600);
    } finally {
      delete process.env.DSPFN_KAFKA_PASSWORD;
    }
  });

  it('a batch of 10,000 records, a bad one among every 100: all accounted for, once', async () => {
    const records: MSKRecord[] = [];
    for (let offset = 0; offset < 10_000; offset++) {
      records.push(offset % 100 === 7 ? kafkaRecord({ topic: TOPIC, offset, key: 'x', value: Buffer.from('{') }) : good(offset, `dev-${offset % 50}`, [offset % 13, 1]));
    }
    const { reports, afterFirst, afterSecond } = await run(records);
    expect(reports[0]).toMatchObject({ records: 10_000, results: 9_900, deadLetters: 100, keys: 50 });
    expect(reports[1]).toMatchObject({ results: 0, skipped: 9_900, deadLetters: 100 });
    expect(afterSecond).toEqual(afterFirst);
  });
});
