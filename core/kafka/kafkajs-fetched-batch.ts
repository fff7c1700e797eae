import type { AbortedTransaction, FetchedPartition, FetchedRecord } from './fetch-decoder.ts';

/**
 * kafkajs's Batch constructor filters every fetched message through a Long (a BigInt and an object
 * per record, ~55 ns and ~115 bytes a record) to drop those below the fetch offset, then through
 * two more array copies (aborted transactions, control records). For the records dspfn's fetch
 * decoder made, whose offsets are exact numbers, the same three lists are made by number compares,
 * and no copy when nothing is dropped (the usual fetch): the decoded records are withheld from
 * kafkajs's Batch constructor (it sees an empty list) and put into the Batch right after it, by
 * the fetch wrapper of the same clients (kafkajs-paused-fetch.ts), before anything reads it.
 *
 * kafkajs 2.2.4 is frozen: a Batch's state is the six fields its constructor sets (rawMessages,
 * messagesWithinOffset, messages and the three copied from its arguments); every method derives
 * from them.
 */

const WITHHELD = Symbol.for('dspfn.kafkajs.withheldRecords');

interface Withheld {
  records: FetchedRecord[];
  abortedTransactions: AbortedTransaction[];
}

/** An empty message list carrying the records it stands for. */
type WithheldList = FetchedRecord[] & { [WITHHELD]?: Withheld };

/** What finishBatches sets of kafkajs's Batch (kafkajs/src/consumer/batch.js). */
interface BatchLike {
  fetchedOffset: string;
  rawMessages: unknown[];
  messagesWithinOffset: unknown[];
  messages: unknown[];
}

/** kafkajs's aborted-transaction filter (kafkajs/src/consumer/filterAbortedMessages.js). */
export type FilterAborted = (args: { messages: FetchedRecord[]; abortedTransactions: AbortedTransaction[] }) => FetchedRecord[];

/** A decoded partition whose records kafkajs's Batch constructor does not see (finishBatches puts them in). */
export function withholdRecords(partition: FetchedPartition): void {
  const list: WithheldList = [];
  list[WITHHELD] = { records: partition.messages, abortedTransactions: partition.abortedTransactions };
  partition.messages = list;
}

/**
 * Puts the withheld records into the Batches kafkajs built from withheld partitions, filtered as
 * kafkajs's Batch constructor filters them; other values (kafkajs's own messages) are left as they are.
 */
export function finishBatches(batches: readonly unknown[], filterAborted: FilterAborted): void {
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b] as Partial<BatchLike> | null;
    const withheld = (batch?.rawMessages as WithheldList | undefined)?.[WITHHELD];
    if (withheld === undefined) continue;
    finish(batch as BatchLike, withheld, filterAborted);
  }
}

function finish(batch: BatchLike, { records, abortedTransactions }: Withheld, filterAborted: FilterAborted): void {
  const fetchedOffset = Number(batch.fetchedOffset);
  let within = records;
  // Offsets are exact numbers (the decoder refuses any past 2^53); a fetch offset that is not is compared as kafkajs does.
  if (!Number.isSafeInteger(fetchedOffset)) {
    const from = BigInt(batch.fetchedOffset);
    within = records.filter((record) => BigInt(record.offset) >= from);
  } else if (records.length > 0 && records[0]!.offset < fetchedOffset) {
    within = records.filter((record) => record.offset >= fetchedOffset);
  }
  let messages = abortedTransactions.length > 0 ? filterAborted({ messages: within, abortedTransactions }) : within;
  for (let i = 0; i < messages.length; i++) {
    if (messages[i]!.isControlRecord) {
      messages = messages.filter((record) => !record.isControlRecord);
      break;
    }
  }
  batch.rawMessages = records;
  batch.messagesWithinOffset = within;
  batch.messages = messages;
}
