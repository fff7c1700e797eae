import { pathToFileURL } from 'node:url';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { jsonLogger } from '../../core/adapters/index.ts';
import { consume, type ConsumeController } from '../../core/local/index.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { startKafka } from '../servers/kafka.ts';
import { table } from './measure.ts';

const PARTITIONS = 6;
const DEVICES = 60;
const SAMPLES = 64;

interface Scenario {
  name: string;
  records: number;
  /** Records per second offered; undefined: as fast as the producer goes. */
  rate?: number;
  batchSize: number;
}

/** Pre-rendered JSON readings, so producing costs the bench nothing but the send. */
function payloads(): string[] {
  return Array.from({ length: DEVICES * 4 }, (_, i) => {
    const deviceId = `device-${i % DEVICES}`;
    const data = Array.from({ length: SAMPLES }, (_, s) => Math.sin((i * SAMPLES + s) / 9) * 2 + 0.1);
    return JSON.stringify({ deviceId, sampleRate: 1000, data });
  });
}

async function feed(producer: Producer, topic: string, scenario: Scenario, values: readonly string[]): Promise<void> {
  const chunk = scenario.rate ? Math.max(1, Math.round(scenario.rate / 20)) : 500;
  const started = performance.now();
  const inFlight: Array<Promise<unknown>> = [];
  for (let sent = 0; sent < scenario.records; sent += chunk) {
    const messages = Array.from({ length: Math.min(chunk, scenario.records - sent) }, (_, i) => {
      const value = values[(sent + i) % values.length]!;
      return { key: `device-${(sent + i) % values.length % DEVICES}`, value };
    });
    if (scenario.rate) {
      // Fixed rate: each chunk leaves on schedule, with its own timestamp.
      const due = started + (sent / scenario.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(producer.send({ topic, acks: -1, messages }));
    } else {
      inFlight.push(producer.send({ topic, acks: -1, messages }));
      if (inFlight.length >= 4) await inFlight.shift();
    }
  }
  await Promise.all(inFlight);
}

async function run(kafka: Kafka, brokers: string, scenario: Scenario, values: readonly string[]): Promise<string[]> {
  const topic = `bench-${scenario.name.replace(/\W+/g, '-')}-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: 'sensor-rms', numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  let controller: ConsumeController | undefined;
  try {
    controller = await consume({
      handler: sensorRms,
      brokers,
      topic,
      groupId: `${topic}-group`,
      fromBeginning: true,
      batchSize: scenario.batchSize,
      logger: jsonLogger({}, 'silent'),
      logLevel: 'silent',
    });
    await controller.ready;
    const started = performance.now();
    await feed(producer, topic, scenario, values);
    while (controller.stats().consumed < scenario.records) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    const stats = await controller.stop();
    controller = undefined;
    return [
      scenario.name,
      String(scenario.records),
      String(scenario.batchSize),
      `${Math.round(stats.consumed / seconds)}`,
      `${(stats.samples / seconds / 1e6).toFixed(2)} M/s`,
      `${stats.latencyP50Ms.toFixed(0)} ms`,
      `${stats.latencyP99Ms.toFixed(0)} ms`,
    ];
  } finally {
    await controller?.stop();
    await producer.disconnect();
  }
}

/**
 * `dspfn consume` with sensor-rms (JSON in, JSON out, memory state, KafkaSink acks=all) against a
 * broker this bench starts: 6 partitions, 60 devices, 64 samples per record, batching window
 * 500 ms (the event source default). Latency is record timestamp → results acknowledged.
 */
export async function benchKafkaConsume(): Promise<string> {
  const server = await startKafka();
  const kafka = new Kafka({ clientId: 'dspfn-bench', brokers: [server.brokers], logLevel: logLevel.NOTHING });
  const values = payloads();
  const rows: string[][] = [['sensor-rms via dspfn consume', 'records', 'batch', 'records/s', 'samples/s', 'p50', 'p99']];
  try {
    for (const scenario of [
      { name: 'fixed rate 2,000 rec/s', records: 12_000, rate: 2_000, batchSize: 100 },
      { name: 'flat out', records: 30_000, batchSize: 100 },
      { name: 'flat out', records: 30_000, batchSize: 1_000 },
    ] satisfies Scenario[]) {
      rows.push(await run(kafka, server.brokers, scenario, values));
    }
  } finally {
    await server.stop();
  }
  return table(rows);
}

// `npx tsx test/bench/kafka-bench.ts` runs it on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchKafkaConsume());
}
