import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { jsonLogger } from '../../core/adapters/index.ts';
import { keyHash } from '../../core/kafka/key-partition.ts';
import { platformaticProducer, platformaticSupported } from '../../core/kafka/platformatic-producer.ts';
import { consume, type ConsumeController } from '../../core/local/index.ts';
import { KafkaSink } from '../../core/sink/kafka.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { startKafka } from '../servers/kafka.ts';
import { median, table } from './measure.ts';
import type { FeedOrder, FeederMessage } from './rate-feeder.ts';

const PARTITIONS = 6;
const DEVICES = 60;
const SAMPLES = 64;
/** A flat-out topic: a multiple of PARTITIONS × 1,000, so every partition holds whole batches. */
const FLAT_OUT_RECORDS = recordsArgument() ?? 120_000;
const WARM_UP_RECORDS = 12_000;
/** The module `dspfn consume --threads` threads load (what the CLI passes as functionModule). */
const SENSOR_RMS_MODULE = fileURLToPath(new URL('../../functions/sensor-rms/handler.ts', import.meta.url));
/** The flat-out rows' thread settings: in-process, and worker threads (see runConsume). */
const THREADS = [1, 2];

/**
 * `--rounds <n>` (default 3): the flat-out topic is read this many times by the bare consumer and by
 * `dspfn consume`, alternating, each with a group of its own. One read lasts about a second, and the
 * host's speed drifts between seconds (the bare consumer alone read 115–215 k records/s in one
 * session): each round's ratio compares reads made side by side, and the row prints their median.
 */
function roundsArgument(): number | undefined {
  const at = process.argv.indexOf('--rounds');
  if (at < 0) return undefined;
  const rounds = Number(process.argv[at + 1]);
  if (!Number.isInteger(rounds) || rounds <= 0) throw new Error('--rounds must be a positive integer');
  return rounds;
}
const ROUNDS = roundsArgument() ?? 3;

/**
 * `--records <n>`: a longer flat-out topic (a multiple of 6,000), where the threads' own warm-up
 * (every thread compiles the handler afresh: the bench's warm-up read warms only the threads it ran
 * on) weighs less.
 */
function recordsArgument(): number | undefined {
  const at = process.argv.indexOf('--records');
  if (at < 0) return undefined;
  const records = Number(process.argv[at + 1]);
  if (!Number.isInteger(records) || records <= 0 || records % (PARTITIONS * 1_000) !== 0) throw new Error(`--records must be a positive multiple of ${PARTITIONS * 1_000}`);
  return records;
}

interface Scenario {
  name: string;
  records: number;
  /** Records per second offered; undefined: as fast as the producer goes. */
  rate?: number;
  batchSize: number;
  /** Batching window, ms (default 500, the event source's). */
  batchWindowMs?: number;
}

/**
 * Device ids spread evenly over the partitions by Kafka's default partitioner (DEVICES / PARTITIONS
 * each), so records sent to the devices in turn fill every partition alike. A flat-out topic then
 * cuts into full batches only: with uneven partitions the largest one ends up working alone, and
 * each partition's partial last batch waits out the batching window, a fixed tail that has nothing
 * to do with throughput and that a 30,000-record run could not amortise.
 */
function balancedDevices(): string[] {
  const byPartition: string[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let n = 0; byPartition.some((ids) => ids.length < DEVICES / PARTITIONS); n++) {
    const id = `device-${n}`;
    const ids = byPartition[keyHash(id) % PARTITIONS]!;
    if (ids.length < DEVICES / PARTITIONS) ids.push(id);
  }
  // Interleaved, so consecutive records go to different partitions.
  return Array.from({ length: DEVICES }, (_, i) => byPartition[i % PARTITIONS]![Math.floor(i / PARTITIONS)]!);
}

const DEVICE_IDS = balancedDevices();

/** Pre-rendered JSON readings, so producing costs the bench nothing but the send; value i names DEVICE_IDS[i % DEVICES]. */
function payloads(): string[] {
  return Array.from({ length: DEVICES * 4 }, (_, i) => {
    const deviceId = DEVICE_IDS[i % DEVICES]!;
    const data = Array.from({ length: SAMPLES }, (_, s) => Math.sin((i * SAMPLES + s) / 9) * 2 + 0.1);
    return JSON.stringify({ deviceId, sampleRate: 1000, data });
  });
}

/**
 * Fills a topic before a flat-out run, with ONE request in flight: the producer is idempotent, and
 * kafkajs' idempotent producer allows a single in-flight request (more break its sequence numbers:
 * "out of order sequence number").
 */
async function feed(producer: Producer, topic: string, scenario: Scenario, values: readonly string[]): Promise<void> {
  const chunk = 500;
  for (let sent = 0; sent < scenario.records; sent += chunk) {
    const messages = Array.from({ length: Math.min(chunk, scenario.records - sent) }, (_, i) => {
      const value = values[(sent + i) % values.length]!;
      return { key: DEVICE_IDS[(sent + i) % values.length % DEVICES]!, value };
    });
    await producer.send({ topic, acks: -1, messages });
  }
}

interface Feeder {
  /** Starts the schedule; resolves once every record is acknowledged. */
  go(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The fixed-rate feeder in a worker thread (rate-feeder.ts), connected and waiting: its producer's
 * work must not delay the event loop whose latency is measured. Worker threads do not inherit tsx's
 * loader, so the entry loads the module through tsx's API.
 */
async function startFeeder(order: FeedOrder): Promise<Feeder> {
  const url = new URL('./rate-feeder.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(url)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(boot, { eval: true, workerData: order });
  const next = () =>
    new Promise<FeederMessage>((resolve, reject) => {
      const fail = (error: unknown) => reject(error instanceof Error ? error : new Error(String(error)));
      worker.once('message', (message: FeederMessage) => {
        worker.off('error', fail);
        resolve(message);
      });
      worker.once('error', fail);
    });
  const answer = (message: FeederMessage) => {
    if ('error' in message) throw new Error(`feeder: ${message.error}`);
    return message;
  };
  answer(await next());
  return {
    async go() {
      const finished = next();
      worker.postMessage('go');
      answer(await finished);
    },
    stop: async () => void (await worker.terminate()),
  };
}

/**
 * Polled, not pushed: stats() is what the CLI's progress line reads too (a counter read and a
 * fixed-bucket histogram: cheap). Every 10 ms, so a run's end is timed within 10 ms.
 */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 10));
}

/**
 * The baseline: a bare kafkajs consumer with the settings `dspfn consume` gives its own (fetch wait,
 * bytes per partition, session, heartbeat; eachBatch, manual commits per batch), touching every value
 * and doing nothing else. Returns records/s from joining the group to the last record.
 */
async function bareConsumer(kafka: Kafka, topic: string, records: number): Promise<Throughput> {
  const consumer = kafka.consumer({
    groupId: `${topic}-bare-${Date.now()}`,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: 2 * 1024 * 1024,
    sessionTimeout: 30_000,
    heartbeatInterval: 1_000,
  });
  await consumer.connect();
  let seen = 0;
  let bytes = 0;
  let finished: Throughput | undefined;
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // Timed from joining the group, as `dspfn consume` is (from its `ready`).
    let started = performance.now();
    let cpu = process.cpuUsage();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      started = performance.now();
      cpu = process.cpuUsage();
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) bytes += message.value?.length ?? 0;
        seen += batch.messages.length;
        const last = batch.lastOffset();
        resolveOffset(last);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
        // Timed where the last record is committed, not at the next poll (the run is short).
        if (seen >= records && !finished) finished = throughput(seen, started, cpu);
      },
    });
    await until(() => finished !== undefined);
    if (bytes === 0) throw new Error('bare consumer read no bytes');
    return finished!;
  } finally {
    await consumer.disconnect();
  }
}

async function createTopic(kafka: Kafka, name: string): Promise<string> {
  const topic = `bench-${name.replace(/\W+/g, '-')}-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }, { topic: 'sensor-rms', numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  return topic;
}

function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
}

interface Throughput {
  recordsPerSecond: number;
  /** Process CPU time (all threads) per record, µs: what the machine's load does not change much. */
  cpuMicrosPerRecord: number;
}

function throughput(records: number, started: number, cpu: NodeJS.CpuUsage): Throughput {
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { recordsPerSecond: records / seconds, cpuMicrosPerRecord: (used.user + used.system) / records };
}

interface ConsumeResult extends Throughput {
  /**
   * The share of the run the main thread's event loop was busy: below 1 while every partition
   * waits at once (on produce acknowledgements or the next fetch), time more CPU could not fill.
   */
  loopBusy: number;
  samplesPerSecond: number;
  p50: number;
  p99: number;
  /** p99 of each stage: record timestamp → fetched, fetched → batch start, the invocation (outputs acknowledged). */
  stages: string;
}

/**
 * `dspfn consume` from the topic's beginning; `during` runs (feeds) while it consumes. `clientEncoder`:
 * results produced with @platformatic/kafka's own record encoder instead of dspfn's (the comparison).
 */
async function runConsume(brokers: string, topic: string, scenario: Scenario, during: () => Promise<void>, clientEncoder = false, threads = 1, round = 0): Promise<ConsumeResult> {
  const logger = jsonLogger({}, 'silent');
  const sink = clientEncoder ? new KafkaSink({ brokers, logger, transport: platformaticProducer({ brokers, logger }, 'client') }) : undefined;
  let controller: ConsumeController | undefined = await consume({
    handler: sensorRms,
    brokers,
    topic,
    groupId: `${topic}-group${clientEncoder ? '-client-encoder' : ''}-threads-${threads}-round-${round}`,
    threads,
    functionModule: SENSOR_RMS_MODULE,
    ...(sink ? { sink } : {}),
    fromBeginning: true,
    batchSize: scenario.batchSize,
    ...(scenario.batchWindowMs === undefined ? {} : { batchWindowMs: scenario.batchWindowMs }),
    logger: jsonLogger({}, 'silent'),
    logLevel: 'silent',
  });
  try {
    await controller.ready;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    await during();
    const running = controller;
    await until(() => running.stats().consumed >= scenario.records);
    const seconds = (performance.now() - started) / 1000;
    const loopBusy = performance.eventLoopUtilization(loop).utilization;
    const stats = await controller.stop();
    controller = undefined;
    // The CPU of a fixed-rate run includes the feeder thread's producer (same process).
    const { cpuMicrosPerRecord } = throughput(stats.consumed, started, cpu);
    return { recordsPerSecond: stats.consumed / seconds, cpuMicrosPerRecord, loopBusy, samplesPerSecond: stats.samples / seconds, p50: stats.latencyP50Ms, p99: stats.latencyP99Ms, stages: `${stats.fetchedP99Ms.toFixed(0)} / ${stats.queuedP99Ms.toFixed(0)} / ${stats.handlerP99Ms.toFixed(0)} ms` };
  } finally {
    await controller?.stop();
    await sink?.close();
  }
}

/** `dspfn consume` while the feeder thread produces the scenario's records at its rate. */
async function atRate(brokers: string, topic: string, scenario: Scenario & { rate: number }, values: readonly string[]): Promise<ConsumeResult> {
  const feeder = await startFeeder({ brokers, topic, records: scenario.records, rate: scenario.rate, devices: DEVICE_IDS, values });
  try {
    return await runConsume(brokers, topic, scenario, () => feeder.go());
  } finally {
    await feeder.stop();
  }
}

/**
 * Fixed rate: records are produced (by a worker thread) while `dspfn consume` runs, so the latencies
 * (record timestamp → results acknowledged) mean something. Flat out: the topic is filled first, then a bare kafkajs
 * consumer and `dspfn consume` read all of it in turn, ROUNDS times; the ratio compares the same
 * topic, process and consumer settings, round by round.
 */
async function run(kafka: Kafka, brokers: string, scenario: Scenario, values: readonly string[]): Promise<string[][]> {
  const topic = await createTopic(kafka, scenario.name);
  const producer = idempotentProducer(kafka);
  await producer.connect();
  try {
    const row = [scenario.name, scenario.records.toLocaleString('en-US'), String(scenario.batchSize), `${scenario.batchWindowMs ?? 500} ms`];
    const rate = scenario.rate;
    if (rate) {
      // A warm-up run first (same process, its own topic and group), so the measured run starts with
      // the code compiled, as in a consumer that has been running: the latency target is the steady
      // state's (a cold start is the cold-start section's business).
      await atRate(brokers, await createTopic(kafka, `${scenario.name} warm-up`), { ...scenario, rate, records: rate * 2 }, values);
      const result = await atRate(brokers, topic, { ...scenario, rate }, values);
      return [[...row, String(Math.round(result.recordsPerSecond)), '', `${result.cpuMicrosPerRecord.toFixed(0)} µs (with the feeder thread)`, `${(result.samplesPerSecond / 1e6).toFixed(2)} M/s`, `${result.p50.toFixed(0)} ms`, `${result.p99.toFixed(0)} ms`, result.stages]];
    }
    // Both consumers first read a warm-up topic of their own, so the measured reads run compiled
    // code, as a consumer working through a backlog does (the cold start is the cold-start section's).
    const warmUp = { ...scenario, records: WARM_UP_RECORDS };
    const warmTopic = await createTopic(kafka, `${scenario.name} warm-up`);
    await feed(producer, warmTopic, warmUp, values);
    await bareConsumer(kafka, warmTopic, warmUp.records);
    for (const threads of THREADS) await runConsume(brokers, warmTopic, warmUp, async () => {}, false, threads);
    await feed(producer, topic, scenario, values);
    const bare: Throughput[] = [];
    const reads = new Map<number, ConsumeResult[]>(THREADS.map((threads) => [threads, []]));
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await bareConsumer(kafka, topic, scenario.records));
      for (const threads of THREADS) reads.get(threads)!.push(await runConsume(brokers, topic, scenario, async () => {}, false, threads, round));
    }
    const bareRate = median(bare.map((b) => b.recordsPerSecond));
    const bareCpu = median(bare.map((b) => b.cpuMicrosPerRecord));
    const flatRow = (name: string, results: readonly ConsumeResult[]) => {
      // Each round's read against the bare read of the same round; one read (the client's encoder) against the bare median.
      const ratios = results.map((r, round) => r.recordsPerSecond / (results.length === bare.length ? bare[round]!.recordsPerSecond : bareRate));
      const spread = ratios.length > 1 ? `, ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)} in ${ratios.length} rounds` : '';
      return [
        name,
        ...row.slice(1),
        String(Math.round(median(results.map((r) => r.recordsPerSecond)))),
        `${median(ratios).toFixed(3)}× (bare ${Math.round(bareRate)}${spread})`,
        `${median(results.map((r) => r.cpuMicrosPerRecord)).toFixed(1)} µs (bare ${bareCpu.toFixed(1)} µs), loop busy ${Math.round(median(results.map((r) => r.loopBusy)) * 100)} %`,
        `${(median(results.map((r) => r.samplesPerSecond)) / 1e6).toFixed(2)} M/s`,
        '—',
        '—',
        '—',
      ];
    };
    const rows: string[][] = [];
    for (const threads of THREADS) rows.push(flatRow(`${scenario.name}, threads ${threads}`, reads.get(threads)!));
    // Where @platformatic/kafka is the producer, the same topic again with the client's own record
    // encoder (after dspfn's, so JIT warm-up favours the comparison, not dspfn).
    if (platformaticSupported()) rows.push(flatRow(`${scenario.name}, client's record encoder`, [await runConsume(brokers, topic, scenario, async () => {}, true)]));
    return rows;
  } finally {
    await producer.disconnect();
  }
}

/**
 * `dspfn consume` with sensor-rms (JSON in, JSON out, memory state, KafkaSink acks=all) against a
 * broker this bench starts: 6 partitions, 60 devices, 64 samples per record. Latency is record
 * timestamp → results acknowledged. The output producer is the one KafkaSink picks on this Node
 * (kafkajs below 22.22, @platformatic/kafka from there: `npm run bench` runs this on both).
 */
export async function benchKafkaConsume(options: { latencyOnly?: boolean } = {}): Promise<string> {
  const server = await startKafka();
  const kafka = new Kafka({ clientId: 'dspfn-bench', brokers: [server.brokers], logLevel: logLevel.NOTHING });
  const values = payloads();
  const rows: string[][] = [[`sensor-rms via dspfn consume (node ${process.versions.node})`, 'records', 'batch', 'window', 'records/s', 'vs bare kafkajs consumer', 'CPU per record', 'samples/s', 'p50', 'p99', 'p99 fetched / queued / invocation']];
  try {
    const scenarios: Scenario[] = [
      // The latency target's setting: no batching window, so a record waits for nothing but its batch.
      { name: 'fixed rate 2,000 rec/s', records: 12_000, rate: 2_000, batchSize: 100, batchWindowMs: 0 },
      // Flat out: 20 full batches of 1,000 per partition (see balancedDevices), after a warm-up read.
      { name: 'flat out (topic filled first)', records: FLAT_OUT_RECORDS, batchSize: 100 },
      { name: 'flat out (topic filled first)', records: FLAT_OUT_RECORDS, batchSize: 1_000 },
    ];
    const throughputOnly = process.argv.includes('--throughput');
    for (const scenario of options.latencyOnly ? scenarios.slice(0, 1) : scenarios) {
      // `--throughput`: only the flat-out batch-1,000 scenario (the README's throughput row).
      if (throughputOnly && (scenario.rate !== undefined || scenario.batchSize !== 1_000)) continue;
      rows.push(...(await run(kafka, server.brokers, scenario, values)));
    }
  } finally {
    await server.stop();
  }
  return table(rows);
}

// `npx tsx test/bench/kafka-bench.ts` runs it on its own; `--latency` only the fixed-rate scenario,
// `--throughput` only the flat-out batch-1,000 one.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchKafkaConsume({ latencyOnly: process.argv.includes('--latency') }));
}
