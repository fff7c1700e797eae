import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { jsonLogger } from '../../core/adapters/index.ts';
import { resultMessage } from '../../core/handler/messages/result.ts';
import type { KafkaRecord } from '../../core/events/types.ts';
import { platformaticProducer, platformaticSupported } from '../../core/kafka/platformatic-producer.ts';
import type { Compression } from '../../core/kafka/compression.ts';
import { KafkaSink } from '../../core/sink/kafka.ts';
import type { OutputMessage } from '../../core/sink/sink.ts';
import { startKafka } from '../servers/kafka.ts';
import { table } from './measure.ts';

const PARTITIONS = 6;
const BATCH = 1_000;
const BATCHES = 20;

/** Results shaped like sensor-rms's in `dspfn consume` (64 float32 values as JSON, the five dspfn headers). */
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
    const json = JSON.stringify({ deviceId: key, partition: record.partition, offset: record.offset, rms });
    return resultMessage('sink-bench-out', key, json, record, 'sensor-rms', []);
  });
}

/**
 * Only the Kafka sink: BATCHES sends of 1,000 consume-shaped results (acks=all, idempotent) to a
 * local broker, CPU time per record of this process, with the producer KafkaSink picks on this Node;
 * on Node >= 22.22 in alternating rounds with @platformatic/kafka's own record encoder, the ratio
 * being the median of the rounds' ratios. DSPFN_BENCH_COMPRESSION=lz4|zstd|gzip compresses.
 */
export async function benchSink(): Promise<string> {
  const server = await startKafka();
  const kafka = new Kafka({ clientId: 'dspfn-bench', brokers: [server.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'sink-bench-out', numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const batches = Array.from({ length: BATCHES }, (_, n) => batch(n));
  const logger = jsonLogger({}, 'silent');
  const compression = process.env.DSPFN_BENCH_COMPRESSION as Compression | undefined;
  const options = { brokers: server.brokers, logger, ...(compression ? { compression } : {}) };
  const sinks: Array<{ name: string; sink: KafkaSink; cpu: number[] }> = [{ name: 'KafkaSink', sink: new KafkaSink(options), cpu: [] }];
  if (platformaticSupported()) sinks.push({ name: "KafkaSink, client's record encoder", sink: new KafkaSink({ ...options, transport: platformaticProducer(options, 'client') }), cpu: [] });
  const rows = [[`KafkaSink.send of 1,000 results (node ${process.versions.node}${compression ? `, ${compression}` : ''})`, 'records per round', 'records/s (median)', 'CPU per record (median)', 'CPU vs dspfn encoder']];
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  try {
    for (const { sink } of sinks) await sink.send(batches[0]!);
    const rates = sinks.map(() => [] as number[]);
    for (let round = 0; round < 5; round++) {
      for (const [i, entry] of sinks.entries()) {
        const started = performance.now();
        const cpu = process.cpuUsage();
        for (const messages of batches) await entry.sink.send(messages);
        const used = process.cpuUsage(cpu);
        const records = BATCH * BATCHES;
        entry.cpu.push((used.user + used.system) / records);
        rates[i]!.push(records / ((performance.now() - started) / 1000));
      }
    }
    const ratios = sinks.map((entry) => median(entry.cpu.map((c, round) => c / sinks[0]!.cpu[round]!)));
    for (const [i, entry] of sinks.entries()) {
      rows.push([entry.name, (BATCH * BATCHES).toLocaleString('en-US'), String(Math.round(median(rates[i]!))), `${median(entry.cpu).toFixed(1)} µs`, `${ratios[i]!.toFixed(2)}×`]);
    }
  } finally {
    await Promise.allSettled(sinks.map(({ sink }) => sink.close()));
    await server.stop();
  }
  return table(rows);
}

// `npx tsx test/bench/sink-bench.ts` runs it on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchSink());
}
