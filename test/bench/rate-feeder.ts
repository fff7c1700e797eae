/**
 * The fixed-rate feeder of the consume bench, run in a worker thread: the records' producer is not
 * part of `dspfn consume`, so it must not share (and delay) the event loop whose latency is
 * measured. Its own kafkajs producer, idempotent with ONE request in flight (kafkajs' idempotent
 * producer allows no more: "out of order sequence number"). Chunks of rate/20 records every 50 ms;
 * a late chunk leaves at once, so the schedule catches up. Each record's timestamp is set by the
 * producer as it sends (CreateTime), on the clock the consumer measures with.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

export interface FeedOrder {
  brokers: string;
  topic: string;
  records: number;
  rate: number;
  /** Device ids, the records' keys: record n goes to devices[n % devices.length] (its value names the same device). */
  devices: readonly string[];
  values: readonly string[];
}

/** What the worker posts: `ready` once connected (the schedule starts on `go`), then `done` or `error`. */
export type FeederMessage = { ready: true } | { done: true } | { error: string };

async function main(order: FeedOrder): Promise<void> {
  const kafka = new Kafka({ clientId: 'dspfn-bench-feeder', brokers: [order.brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    parentPort!.postMessage({ ready: true } satisfies FeederMessage);
    await new Promise((resolve) => parentPort!.once('message', resolve));
    const chunk = Math.max(1, Math.round(order.rate / 20));
    const started = performance.now();
    for (let sent = 0; sent < order.records; sent += chunk) {
      const wait = started + (sent / order.rate) * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const messages = Array.from({ length: Math.min(chunk, order.records - sent) }, (_, i) => {
        const n = (sent + i) % order.values.length;
        return { key: order.devices[n % order.devices.length]!, value: order.values[n]! };
      });
      await producer.send({ topic: order.topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

main(workerData as FeedOrder).then(
  () => parentPort!.postMessage({ done: true } satisfies FeederMessage),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies FeederMessage),
);
