// Helpers shared by the kafka-*.test.ts files: topics, producing inputs, reading outputs back.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { Kafka, Partitioners, logLevel, type Admin, type IHeaders } from 'kafkajs';
import { defineFunction, type DspfnHandler, type KafkaEvent } from '../../core/index.ts';
import { jsonLogger, MemorySink, MemoryStateStore } from '../../core/adapters/index.ts';
import { eventFor, type ConsumableFunction, type ReplayRecord } from '../../core/local/index.ts';
import { lambdaContext } from '../../core/testing/index.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';

export function client(brokers: string): Kafka {
  return new Kafka({ clientId: 'dspfn-it', brokers: [brokers], logLevel: logLevel.NOTHING });
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function withAdmin<T>(brokers: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(brokers: string, topics: Record<string, number>): Promise<void> {
  await withAdmin(brokers, (admin) =>
    admin.createTopics({
      topics: Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: true,
    }),
  );
}

export interface Input {
  key: string | null;
  value: string | Buffer;
  partition?: number;
  headers?: IHeaders;
  timestamp?: number;
}

/** Produces in order (one request per chunk), so per-partition offsets follow the array. */
export async function produce(brokers: string, topic: string, inputs: readonly Input[]): Promise<void> {
  const producer = client(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < inputs.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: inputs.slice(i, i + 500).map((m) => ({
          key: m.key,
          value: m.value,
          ...(m.partition === undefined ? {} : { partition: m.partition }),
          ...(m.headers ? { headers: m.headers } : {}),
          ...(m.timestamp === undefined ? {} : { timestamp: String(m.timestamp) }),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** `records` readings per device, `samples` numbers each; deterministic values. */
export function readings(devices: number, records: number, samples = 8): Input[] {
  const out: Input[] = [];
  for (let r = 0; r < records; r++) {
    for (let d = 0; d < devices; d++) {
      const deviceId = `dev-${d}`;
      const data = Array.from({ length: samples }, (_, i) => Math.sin((r * samples + i) / 7 + d) * (d + 1) + d);
      out.push({ key: deviceId, value: JSON.stringify({ deviceId, sampleRate: 100, data }), headers: { traceparent: `00-${String(r).padStart(32, '0')}-${String(d).padStart(16, '0')}-01` } });
    }
  }
  return out;
}

export interface Received {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reads whole topics from the beginning until `count` messages matched (or the timeout). */
export async function readTopics(
  brokers: string,
  topics: readonly string[],
  count: number,
  options: { filter?: (m: Received) => boolean; timeoutMs?: number; settleMs?: number } = {},
): Promise<Received[]> {
  const kafka = client(brokers);
  const groupId = unique('dspfn-it-read');
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${received.length} of ${count} messages from ${topics.join(', ')}`)), options.timeoutMs ?? 20_000);
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          const m: Received = { topic, partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0), headers };
          if (options.filter && !options.filter(m)) return;
          received.push(m);
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    // Anything beyond `count` (a duplicate) shows up in this window.
    if (options.settleMs) await new Promise((r) => setTimeout(r, options.settleMs));
  } finally {
    await consumer.disconnect();
    await withAdmin(brokers, (admin) => admin.deleteGroups([groupId])).catch(() => {});
  }
  return received;
}

export async function endOffsets(brokers: string, topic: string): Promise<number[]> {
  return withAdmin(brokers, async (admin) => (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => Number(p.high)));
}

export async function groupOffsets(brokers: string, groupId: string, topic: string): Promise<number[]> {
  return withAdmin(brokers, async (admin) => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  });
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** sensor-rms with its topics moved so each test reads only its own outputs. */
export function sensorRmsOn(outputTopic: string, extra: { deadLetterTopic?: string; logTopic?: string; reportBatchItemFailures?: boolean } = {}): DspfnHandler {
  const definition = sensorRms.dspfn.definition;
  return defineFunction({ ...definition, output: { ...definition.output, topic: outputTopic }, ...extra }) as DspfnHandler;
}

/** What the function produces for these records when processed in one go, in memory. */
export async function reference(fn: DspfnHandler, records: readonly ReplayRecord[]): Promise<Map<string, string>> {
  const sink = new MemorySink();
  const bound = fn.dspfn.withRuntime({ sink, state: new MemoryStateStore(), logger: jsonLogger({}, 'silent') });
  await bound(eventFor(records, 'msk', '127.0.0.1:9092'), lambdaContext());
  const out = new Map<string, string>();
  for (const m of sink.ofKind('result')) out.set(`${m.headers['dspfn-source-partition']}@${m.headers['dspfn-source-offset']}`, String(m.value));
  return out;
}

/** Source "partition@offset" of each message, from its dspfn-source-* headers. */
export function sourceOf(m: Received): string {
  return `${m.headers['dspfn-source-partition']}@${m.headers['dspfn-source-offset']}`;
}

/** Reads a topic as Lambda records (what the function saw), partition by partition. */
export async function asRecords(brokers: string, topic: string, count: number): Promise<ReplayRecord[]> {
  const messages = await readTopics(brokers, [topic], count);
  return messages
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    .map((m) => ({
      topic,
      partition: m.partition,
      offset: m.offset,
      timestamp: 0,
      timestampType: 'CREATE_TIME',
      key: m.key === null ? '' : Buffer.from(m.key).toString('base64'),
      value: m.value.toString('base64'),
      headers: Object.entries(m.headers).map(([name, value]) => ({ [name]: [...Buffer.from(value)] })),
    }));
}

export interface Invocation {
  /** "partition@first..last" per partition of the event. */
  ranges: string[];
  offsets: Array<{ partition: number; offset: number }>;
}

/**
 * Wraps a function so a test sees each invocation, and can fail one (throw) before it runs.
 */
export function spy(fn: DspfnHandler, options: { failWhen?: (inv: Invocation) => Error | undefined; delayMs?: number } = {}): ConsumableFunction & { invocations: Invocation[] } {
  const invocations: Invocation[] = [];
  return {
    invocations,
    dspfn: {
      definition: fn.dspfn.definition,
      withRuntime(runtime) {
        const inner = fn.dspfn.withRuntime(runtime);
        return async (event: KafkaEvent, context: Context) => {
          const offsets: Invocation['offsets'] = [];
          const ranges: string[] = [];
          for (const [id, records] of Object.entries(event.records)) {
            const partition = Number(id.slice(id.lastIndexOf('-') + 1));
            for (const r of records) offsets.push({ partition, offset: r.offset });
            ranges.push(`${partition}@${records[0]!.offset}..${records.at(-1)!.offset}`);
          }
          const invocation = { ranges, offsets };
          invocations.push(invocation);
          if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
          const failure = options.failWhen?.(invocation);
          if (failure) throw failure;
          return inner(event, context);
        };
      },
    },
  };
}
