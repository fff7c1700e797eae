import { pathToFileURL } from 'node:url';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { Kafka, logLevel } from 'kafkajs';
import { jsonLogger } from '../../core/adapters/index.ts';
import { resultMessage } from '../../core/handler/messages/result.ts';
import type { KafkaRecord } from '../../core/events/types.ts';
import { platformaticOptions, platformaticProducer, platformaticSupported } from '../../core/kafka/platformatic-producer.ts';
import { clientMessage } from '../../core/kafka/platformatic-fast-produce.ts';
import type { Compression } from '../../core/kafka/compression.ts';
import { KafkaSink } from '../../core/sink/kafka.ts';
import type { OutputMessage } from '../../core/sink/sink.ts';
import { startKafka } from '../servers/kafka.ts';
import { median, table } from './measure.ts';

const PARTITIONS = 6;
const BATCH = 1_000;
const BATCHES = 20;
const ROUNDS = 5;
const TOPIC = 'sink-bench-out';

/**
 * Results shaped like sensor-rms's in `dspfn consume`: 64 float32 values as JSON in a Buffer (consume's
 * results are views of the handler's result arena), the key as text, the five dspfn headers.
 */
function batch(n: number): OutputMessage[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const record: KafkaRecord = {
      topic: 'sensor-readings',
      partition: i % PARTITIONS,
      offset: n * BATCH + i,
      timestamp: Date.now(),
      timestampType: 'CREATE_TIME',
      key: null,
      value: Buffer.alloc(0),
      tombstone: false,
      headers: [],
    };
    const rms = Array.from({ length: 64 }, (_, s) => Math.fround(Math.abs(Math.sin((i + s) / 7)) * 1.3));
    const key = `device-${i % 60}`;
    const json = Buffer.from(JSON.stringify({ deviceId: key, partition: record.partition, offset: record.offset, rms }));
    return resultMessage(TOPIC, key, json, record, 'sensor-rms', []);
  });
}

/** Heap bytes allocated while `work` runs: the growth of the used heap plus what each GC freed meanwhile. */
async function allocated(work: () => Promise<void>): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  await work();
  const after = getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const gc of profiler.stop()?.statistics ?? []) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return after - before + freed;
}

interface Contender {
  name: string;
  send(messages: readonly OutputMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The floor: @platformatic/kafka's own Producer (idempotent, acks=all, Java-compatible partitioning,
 * the same compression), handed the same messages already in its shapes (Buffers and a Map of
 * headers, converted before the clock starts), one `send` per batch of 1,000.
 */
async function bareClient(brokers: string, compression: Compression | undefined): Promise<Contender> {
  const lib = await import('@platformatic/kafka');
  const config = await platformaticOptions({ brokers, ...(compression ? { compression } : {}) }, lib);
  const producer = new lib.Producer(config);
  const converted = new Map<readonly OutputMessage[], Array<ReturnType<typeof clientMessage>>>();
  return {
    name: 'bare @platformatic/kafka Producer.send (messages in its shapes)',
    async send(messages) {
      let list = converted.get(messages);
      if (!list) converted.set(messages, (list = messages.map((m) => clientMessage(m.topic, m))));
      await producer.send({ messages: list });
    },
    close: () => producer.close(),
  };
}

/**
 * Only the Kafka sink: BATCHES sends of 1,000 consume-shaped results (acks=all, idempotent) to a
 * local broker, CPU time and heap bytes allocated per record of this process, with the producer
 * KafkaSink picks on this Node; on Node >= 22.22 in alternating rounds with @platformatic/kafka's
 * own record encoder and with the bare client's Producer given the same messages, the ratios being
 * the medians of the rounds' ratios. DSPFN_BENCH_COMPRESSION=lz4|zstd|gzip compresses.
 */
export async function benchSink(): Promise<string> {
  const server = await startKafka();
  const kafka = new Kafka({ clientId: 'dspfn-bench', brokers: [server.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const batches = Array.from({ length: BATCHES }, (_, n) => batch(n));
  const logger = jsonLogger({}, 'silent');
  const compression = process.env.DSPFN_BENCH_COMPRESSION as Compression | undefined;
  const options = { brokers: server.brokers, logger, ...(compression ? { compression } : {}) };
  const sink = (name: string, created: KafkaSink): Contender => ({ name, send: (m) => created.send(m), close: () => created.close() });
  const contenders: Contender[] = [sink('KafkaSink', new KafkaSink(options))];
  if (platformaticSupported()) {
    contenders.push(sink("KafkaSink, client's record encoder", new KafkaSink({ ...options, transport: platformaticProducer(options, 'client') })));
    contenders.push(await bareClient(server.brokers, compression));
  }
  const rows = [[`KafkaSink.send of 1,000 results (node ${process.versions.node}${compression ? `, ${compression}` : ''})`, 'records per round', 'records/s (median)', 'CPU per record (median)', 'heap allocated per record (median)', 'CPU vs KafkaSink']];
  const records = BATCH * BATCHES;
  try {
    for (const contender of contenders) for (const messages of batches) await contender.send(messages);
    const cpu = contenders.map(() => [] as number[]);
    const rates = contenders.map(() => [] as number[]);
    const heap = contenders.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order, so no contender always runs on another's garbage.
      const order = contenders.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const started = performance.now();
        const before = process.cpuUsage();
        const bytes = await allocated(async () => {
          for (const messages of batches) await contenders[i]!.send(messages);
        });
        const used = process.cpuUsage(before);
        cpu[i]!.push((used.user + used.system) / records);
        rates[i]!.push(records / ((performance.now() - started) / 1000));
        heap[i]!.push(bytes / records);
      }
    }
    for (const [i, contender] of contenders.entries()) {
      const ratio = median(cpu[i]!.map((c, round) => c / cpu[0]![round]!));
      rows.push([contender.name, records.toLocaleString('en-US'), String(Math.round(median(rates[i]!))), `${median(cpu[i]!).toFixed(1)} µs`, `${(median(heap[i]!) / 1024).toFixed(2)} KB`, `${ratio.toFixed(2)}×`]);
    }
  } finally {
    await Promise.allSettled(contenders.map((c) => c.close()));
    await server.stop();
  }
  return table(rows);
}

// `npx tsx test/bench/sink-bench.ts` runs it on its own (on Node 22: the Node 22 binary with `--import tsx`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchSink());
}
