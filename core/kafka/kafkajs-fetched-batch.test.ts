import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBatch, encodeFetchResponse, type FixtureRecord } from '../../test/fixtures/fetch-response.ts';
import { decodeFetchResponse, type FetchedPartition } from './fetch-decoder.ts';
import { finishBatches, withholdRecords, type FilterAborted } from './kafkajs-fetched-batch.ts';

const require = createRequire(import.meta.url);
interface KafkajsBatch {
  rawMessages: unknown[];
  messagesWithinOffset: unknown[];
  messages: unknown[];
  isEmpty(): boolean;
  isEmptyIncludingFiltered(): boolean;
  isEmptyDueToFiltering(): boolean;
  isEmptyControlRecord(): boolean;
  isEmptyDueToLogCompactedMessages(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}
const Batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: unknown) => KafkajsBatch;
const filterAborted = require('kafkajs/src/consumer/filterAbortedMessages.js') as FilterAborted;
const noCodec = () => Promise.reject(new Error('uncompressed only'));

/** The abort marker kafkajs's filter looks for: a control record keyed 0,0,0,0. */
const ABORT_KEY = Buffer.from([0, 0, 0, 0]);

const batch = fc.record({
  gapBefore: fc.nat(3),
  transactional: fc.boolean(),
  control: fc.boolean(),
  producerId: fc.constantFrom(1n, 2n),
  records: fc.array(fc.record({ abortKey: fc.boolean(), gap: fc.nat(2) }), { minLength: 1, maxLength: 5 }),
});
const partition = fc.record({
  // Near 2^53 with room for the most the batches advance (5 × (3 + 5 × 2 + 1) = 70): the decoder
  // refuses a record offset past 2^53.
  first: fc.oneof(fc.bigInt(0n, 1000n), fc.constant(2n ** 53n - 100n)),
  batches: fc.array(batch, { maxLength: 5 }),
  abortedTransactions: fc.array(fc.record({ producerId: fc.constantFrom(1n, 2n), at: fc.nat(30) }), { maxLength: 2 }),
  /** Where the fetch starts, relative to the first batch's first offset (records below it are dropped). */
  fetchFrom: fc.oneof(fc.integer({ min: -2, max: 30 }), fc.constant(Infinity)),
});

async function decodedPartition(p: typeof partition extends fc.Arbitrary<infer T> ? T : never): Promise<{ data: FetchedPartition; fetchedOffset: string }> {
  const sets: Buffer[] = [];
  let next = p.first;
  for (const b of p.batches) {
    next += BigInt(b.gapBefore);
    let delta = 0;
    const records: FixtureRecord[] = b.records.map((r) => ({ key: b.control && r.abortKey ? ABORT_KEY : Buffer.from('k'), value: Buffer.from('v'), headers: [], timestampDelta: 0, offsetDelta: (delta += r.gap) }));
    const attributes = (b.transactional ? 0x10 : 0) | (b.control ? 0x20 : 0);
    sets.push(await encodeBatch({ firstOffset: next, firstTimestamp: 1_700_000_000_000n, maxTimestamp: 1_700_000_000_000n, attributes, producerId: b.producerId, records }));
    next += BigInt(delta + 1);
  }
  const abortedTransactions = p.abortedTransactions.map((a) => ({ producerId: a.producerId, firstOffset: p.first + BigInt(a.at) })).sort((x, y) => (x.firstOffset < y.firstOffset ? -1 : 1));
  const payload = encodeFetchResponse(11, [{ name: 't', partitions: [{ partition: 3, errorCode: 0, highWatermark: next + 5n, lastStableOffset: next, logStartOffset: 0n, abortedTransactions, preferredReadReplica: -1, recordSet: Buffer.concat(sets) }] }], { throttleTime: 0, errorCode: 0, sessionId: 0 });
  const decoded = await decodeFetchResponse(payload, 11, noCodec);
  // Past 2^53 (Infinity): a fetch offset no number holds exactly.
  const fetchedOffset = p.fetchFrom === Infinity ? String(2n ** 53n + 1n) : String(p.first + BigInt(p.fetchFrom));
  return { data: decoded.responses[0]!.partitions[0]!, fetchedOffset };
}

/** kafkajs's batch as eachBatch and its runner read it. */
function view(b: KafkajsBatch) {
  return {
    rawMessages: b.rawMessages,
    messagesWithinOffset: b.messagesWithinOffset,
    messages: b.messages,
    isEmpty: b.isEmpty(),
    isEmptyIncludingFiltered: b.isEmptyIncludingFiltered(),
    isEmptyDueToFiltering: b.isEmptyDueToFiltering(),
    isEmptyControlRecord: b.isEmptyControlRecord(),
    isEmptyDueToLogCompactedMessages: b.isEmptyDueToLogCompactedMessages(),
    firstOffset: b.firstOffset() === null ? null : String(b.firstOffset()),
    lastOffset: String(b.lastOffset()),
    offsetLag: b.offsetLag(),
    offsetLagLow: b.offsetLagLow(),
  };
}

describe("kafkajs's Batch of withheld records, finished by number", () => {
  it("is the Batch kafkajs builds of the same records: fetch offset, aborted transactions, control records", async () => {
    await fc.assert(
      fc.asyncProperty(partition, async (p) => {
        const { data, fetchedOffset } = await decodedPartition(p);
        const theirs = new Batch('t', fetchedOffset, data);
        const withheld = { ...data };
        withholdRecords(withheld);
        const ours = new Batch('t', fetchedOffset, withheld);
        expect(ours.rawMessages).toHaveLength(0);
        finishBatches([ours, 'not a batch', null], filterAborted);
        const a = view(ours);
        const b = view(theirs);
        expect(a).toEqual(b);
        // The very records, not copies (identity per element).
        for (const key of ['rawMessages', 'messagesWithinOffset', 'messages'] as const) a[key].forEach((m, i) => expect(m).toBe(b[key][i]));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves batches of kafkajs messages as they are', () => {
    const messages = [{ offset: '5', isControlRecord: false, batchContext: {} }];
    const batch = new Batch('t', '0', { partition: 0, highWatermark: '9', abortedTransactions: [], messages });
    finishBatches([batch], filterAborted);
    expect(batch.messages).toEqual(messages);
    expect(batch.rawMessages).toBe(messages);
  });

  it('shares one list when nothing is dropped (the usual fetch)', async () => {
    const { data } = await decodedPartition({ first: 10n, batches: [{ gapBefore: 0, transactional: false, control: false, producerId: 1n, records: [{ abortKey: false, gap: 1 }, { abortKey: false, gap: 1 }] }], abortedTransactions: [], fetchFrom: 0 });
    const records = data.messages;
    withholdRecords(data);
    const batch = new Batch('t', '10', data);
    finishBatches([batch], filterAborted);
    expect(batch.messages).toBe(records);
    expect(batch.messagesWithinOffset).toBe(records);
    expect(batch.rawMessages).toBe(records);
    expect(batch.messages).toHaveLength(2);
  });
});
