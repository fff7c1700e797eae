import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { KafkaMessage } from 'kafkajs';
import { decodeFetchResponse, type FetchedPartition } from '../../core/kafka/fetch-decoder.ts';
import { finishBatches, withholdRecords, type FilterAborted } from '../../core/kafka/kafkajs-fetched-batch.ts';
import { fetchedRecord } from '../../core/local/kafka-records.ts';
import type { KafkaRecord } from '../../core/events/types.ts';
import { encodeBatch, encodeFetchResponse, type FixtureRecord } from '../fixtures/fetch-response.ts';
import { median, table } from './measure.ts';

const require = createRequire(import.meta.url);
const kafkajsFetch = require('kafkajs/src/protocol/requests/fetch/v11/response.js') as { decode(payload: Buffer): Promise<KafkajsResponse> };
const Batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, partition: unknown) => { messages: KafkaMessage[] };
const filterAborted = require('kafkajs/src/consumer/filterAbortedMessages.js') as FilterAborted;

interface KafkajsResponse {
  responses: Array<{ topicName: string; partitions: Array<{ partition: number; messages: unknown[] }> }>;
}

const PARTITIONS = 6;
const RECORDS_PER_PARTITION = 2_000;
/** The kafka bench's feeder sends 500 records a request over 6 partitions: ~83 records a batch. */
const RECORDS_PER_BATCH = 83;

/** A fetch response like the kafka bench's flat-out reads: sensor-rms's 64-sample JSON readings, device keys, no headers. */
async function response(): Promise<Buffer> {
  const partitions = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const batches: Buffer[] = [];
    for (let first = 0; first < RECORDS_PER_PARTITION; first += RECORDS_PER_BATCH) {
      const records: FixtureRecord[] = [];
      for (let i = 0; i < Math.min(RECORDS_PER_BATCH, RECORDS_PER_PARTITION - first); i++) {
        const deviceId = `device-${(first + i) % 60}`;
        const data = Array.from({ length: 64 }, (_, s) => Math.sin((i * 64 + s) / 9) * 2 + 0.1);
        records.push({ key: Buffer.from(deviceId), value: Buffer.from(JSON.stringify({ deviceId, sampleRate: 1000, data })), headers: [], offsetDelta: i, timestampDelta: i });
      }
      batches.push(await encodeBatch({ firstOffset: BigInt(1_000_000 + first), firstTimestamp: 1_765_000_000_000n, maxTimestamp: 1_765_000_000_100n, attributes: 0, producerId: 7n, records }));
    }
    partitions.push({ partition: p, errorCode: 0, highWatermark: 9_999_999n, lastStableOffset: 9_999_999n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, recordSet: Buffer.concat(batches) });
  }
  return encodeFetchResponse(11, [{ name: 'sensor-readings', partitions }], { throttleTime: 0, errorCode: 0, sessionId: 0 });
}

/**
 * What consume's eachBatch does with a fetched batch, after kafkajs's Batch (offset filter, control
 * records): of dspfn's decoder's records, withheld from the constructor and filtered by number
 * (kafkajs-fetched-batch.ts), as consume's clients do.
 */
function take(topic: string, partitionData: { partition: number }, withheld: boolean): number {
  if (withheld) withholdRecords(partitionData as FetchedPartition);
  const batch = new Batch(topic, '1000000', partitionData);
  if (withheld) finishBatches([batch], filterAborted);
  const taken: KafkaRecord[] = [];
  for (const message of batch.messages) taken.push(fetchedRecord(topic, partitionData.partition, message));
  return taken.length;
}

async function cpuPerRecord(decode: () => Promise<KafkajsResponse>, rounds: number, withheld: boolean): Promise<number> {
  let records = 0;
  const start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    const decoded = await decode();
    for (const topic of decoded.responses) for (const partition of topic.partitions) records += take(topic.topicName, partition, withheld);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / records;
}

/**
 * CPU per record from a Fetch response's bytes to the KafkaRecords consume hands its partition
 * workers: kafkajs's decoder + kafkaRecord conversion against dspfn's fetch decoder, alternating
 * rounds (GC included); medians of the rounds.
 */
export async function benchFetch(rounds = 7): Promise<string> {
  const payload = await response();
  const kafkajs = () => kafkajsFetch.decode(payload);
  const dspfn = () => decodeFetchResponse(payload, 11, () => Promise.reject(new Error('uncompressed'))) as unknown as Promise<KafkajsResponse>;
  await cpuPerRecord(kafkajs, 5, false);
  await cpuPerRecord(dspfn, 5, true);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await cpuPerRecord(kafkajs, 10, false));
    b.push(await cpuPerRecord(dspfn, 10, true));
  }
  const ratios = a.map((x, i) => x / b[i]!);
  return table([
    ['fetch response → KafkaRecords (64-sample JSON, 83 per batch)', 'CPU per record', 'vs kafkajs'],
    ['kafkajs decoder + Batch + kafkaRecord', `${median(a).toFixed(2)} µs`, '1×'],
    ['dspfn fetch decoder + Batch', `${median(b).toFixed(2)} µs`, `${median(ratios).toFixed(2)}× faster`],
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchFetch());
}
