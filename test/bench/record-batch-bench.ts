import { pathToFileURL } from 'node:url';
import { createRecordsBatch, crc32c } from '@platformatic/kafka';
import { batchCrc32c } from '../../core/kafka/platformatic-fast-produce.ts';
import { encodeRecordBatch, type BatchRecord } from '../../core/kafka/record-batch.ts';
import { median, table } from './measure.ts';

/** 1,000 results shaped like sensor-rms's: 64 float32 values as JSON, the five dspfn headers. */
function results(): BatchRecord[] {
  return Array.from({ length: 1_000 }, (_, i) => {
    const rms = Array.from({ length: 64 }, (_, s) => Math.fround(Math.abs(Math.sin((i + s) / 7)) * 1.3));
    const key = `device-${i % 60}`;
    return {
      key,
      value: JSON.stringify({ deviceId: key, partition: 1, offset: i, rms }),
      headers: { 'content-type': 'application/json', 'dspfn-source-topic': 'sensor-readings', 'dspfn-source-partition': '1', 'dspfn-source-offset': String(i), 'dspfn-function': 'sensor-rms' },
    };
  });
}

/** CPU µs per record of `work` (one batch of `records` per call), after a warm-up. */
function cpuPerRecord(records: number, work: () => unknown, calls = 200): number {
  for (let i = 0; i < calls / 4; i++) work();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls / records;
}

/**
 * One partition's RecordBatch of 1,000 results: dspfn's encoder (from the strings, headers and all)
 * against @platformatic/kafka's createRecordsBatch (from Buffers it is handed, as its producer does
 * after converting), in alternating rounds; the ratio is the median of the rounds' ratios.
 */
export function benchRecordBatch(): string {
  const records = results();
  const asClient = records.map((r) => ({
    topic: 'results',
    partition: 0,
    key: Buffer.from(r.key as string),
    value: Buffer.from(r.value as string),
    headers: new Map(Object.entries(r.headers!).map(([name, value]) => [Buffer.from(name), Buffer.from(value)])),
  }));
  const producer = { producerId: 7n, producerEpoch: 0, baseSequence: 0, transactional: false };
  const checksum = batchCrc32c(crc32c as (data: Buffer) => number);
  const dspfn: number[] = [];
  const client: number[] = [];
  for (let round = 0; round < 5; round++) {
    dspfn.push(cpuPerRecord(records.length, () => encodeRecordBatch(records, producer, checksum)));
    client.push(cpuPerRecord(records.length, () => createRecordsBatch(asClient as never, { producerId: 7n, producerEpoch: 0 } as never).buffer));
  }
  const ratio = median(dspfn.map((d, i) => d / client[i]!));
  return table([
    [`RecordBatch of 1,000 results (node ${process.versions.node})`, 'CPU per record (median of 5 rounds)', 'vs the client'],
    ['dspfn encodeRecordBatch (strings in)', `${median(dspfn).toFixed(2)} µs`, `${ratio.toFixed(2)}×`],
    ["@platformatic/kafka createRecordsBatch (Buffers in)", `${median(client).toFixed(2)} µs`, '1.00×'],
  ]);
}

// `npx tsx test/bench/record-batch-bench.ts` runs it on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(benchRecordBatch());
}
