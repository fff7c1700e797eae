import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { jsonLogger } from '../../core/adapters/index.ts';
import { resultMessage } from '../../core/handler/messages/result.ts';
import type { KafkaRecord } from '../../core/events/types.ts';
import { KafkaSink } from '../../core/sink/kafka.ts';
import type { OutputMessage } from '../../core/sink/sink.ts';
import { startKafka } from '../servers/kafka.ts';
import { table } from './measure.ts';

const PARTITIONS = 6;
const BATCH = 1_000;
const BATCHES = 30;

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
 * local broker, CPU time per record of this process (the producer KafkaSink picks on this Node).
 */
export async function benchSink(): Promise<string> {
  const server = await startKafka();
  const kafka = new Kafka({ clientId: 'dspfn-bench', brokers: [server.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'sink-bench-out', numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const batches = Array.from({ length: BATCHES }, (_, n) => batch(n));
  const sink = new KafkaSink({ brokers: server.brokers, logger: jsonLogger({}, 'silent'), ...(process.env.DSPFN_BENCH_COMPRESSION ? { compression: process.env.DSPFN_BENCH_COMPRESSION as 'lz4' } : {}) });
  const rows = [[`KafkaSink.send (node ${process.versions.node})`, 'records', 'records/s', 'CPU per record']];
  try {
    await sink.send(batches[0]!);
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (const messages of batches) await sink.send(messages);
      const used = process.cpuUsage(cpu);
      const seconds = (performance.now() - started) / 1000;
      const records = BATCH * BATCHES;
      rows.push([`round ${round + 1}`, records.toLocaleString('en-US'), String(Math.round(records / seconds)), `${((used.user + used.system) / records).toFixed(1)} µs`]);
    }
  } finally {
    await sink.close();
    await server.stop();
  }
  return table(rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchSink());
}
