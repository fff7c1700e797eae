/**
 * kafkajs's fetch loop, once every partition of a broker is paused, sleeps its whole maxWaitTime
 * (250 ms for `dspfn consume`) before it looks again, and a resume() during that sleep waits for
 * it: the partitions `dspfn consume` pauses for backpressure (a full buffer) are resumed as soon as
 * a batch is taken, and a flat-out run saw the fetcher asleep for ~270 ms three times in 4 s while
 * the partitions emptied their buffers. For the consumers of dspfn's marked socket factory, the
 * all-paused case waits the same maxWaitTime, after the same metadata, assignment and seek checks
 * kafkajs runs first, but a resume() of that consumer ends the wait at once. While only some are
 * paused, their fetches long-poll PAUSED_MAX_WAIT_MS at most, so a resumed partition is not held up
 * by a long-poll of caught-up ones, and each fetch splits the response's maxBytes among the active
 * partitions (partitionBytes). Every other consumer (a bare kafkajs consumer in the same process)
 * keeps kafkajs's own fetch.
 *
 * kafkajs 2.2.4 is frozen: the wrapped methods are ConsumerGroup's fetch and resume; the checks are
 * the ones its fetch runs before it decides whether there is anything to fetch. The same wrapper
 * hands every fetch's batches to `finishBatches` before kafkajs's runner sees them
 * (kafkajs-fetched-batch.ts).
 */

type TopicPartitions = Array<{ topic: string; partitions: number[] }>;

/** What ConsumerGroup.fetch and resume touch of a consumer group (kafkajs/src/consumer/consumerGroup.js). */
interface ConsumerGroupLike {
  maxWaitTime: number;
  /** The fetch response's cap (kafkajs's default 10 MB), and each partition's. */
  maxBytes: number;
  maxBytesPerPartition: number;
  cluster: {
    refreshMetadataIfNecessary(): Promise<void>;
    brokerPool?: { seedBroker?: { connectionPool?: { socketFactory?: object } } };
  };
  subscriptionState: { assigned(): TopicPartitions; isPaused(topic: string, partition: number): boolean };
  checkForStaleAssignment(): void;
  filterPartitionsByNode(nodeId: number, topicPartitions: TopicPartitions): TopicPartitions;
  seekOffsets(topicPartitions: TopicPartitions): Promise<void>;
  recoverFromFetch(error: unknown): Promise<void>;
}

interface ConsumerGroupClass {
  prototype: {
    fetch: ((this: ConsumerGroupLike, nodeId: number) => Promise<unknown[]>) & { [PATCHED]?: true };
    resume: (this: ConsumerGroupLike, topicPartitions: unknown) => void;
  };
}

const PATCHED = Symbol.for('dspfn.kafkajs.pausedFetch');

/** Each waiting group's wake-up (a group has one fetch loop per broker; all of them wake). */
const waiting = new WeakMap<ConsumerGroupLike, Set<() => void>>();

/**
 * The long-poll of a fetch while some of the broker's partitions are paused: a partition that is
 * resumed waits for the fetch in flight, which, when the active partitions are caught up (a backlog
 * whose other partitions are drained), is the whole long-poll.
 */
export const PAUSED_MAX_WAIT_MS = 50;

/** How many of a group's partitions on `nodeId` are paused, of how many assigned. */
export function pausedCount(group: ConsumerGroupLike, nodeId: number): { paused: number; assigned: number } {
  let paused = 0;
  let assigned = 0;
  for (const { topic, partitions } of group.filterPartitionsByNode(nodeId, group.subscriptionState.assigned())) {
    for (const partition of partitions) {
      assigned++;
      if (group.subscriptionState.isPaused(topic, partition)) paused++;
    }
  }
  return { paused, assigned };
}

/** Whether a group's partitions on `nodeId` are all paused (none assigned counts as not paused: kafkajs decides). */
export function allPaused(group: ConsumerGroupLike, nodeId: number): boolean {
  const { paused, assigned } = pausedCount(group, nodeId);
  return assigned > 0 && paused === assigned;
}

/** Each marked group's configured maxWaitTime and maxBytesPerPartition (the wrapper lowers the ones kafkajs reads). */
const configured = new WeakMap<ConsumerGroupLike, { wait: number; partitionBytes: number }>();

/**
 * Each active partition's share of a fetch response: the broker fills a response's maxBytes
 * partition by partition in the order asked, so with partitions × maxBytesPerPartition over it
 * (6 × 2 MB against kafkajs's 10 MB) the last partitions asked for got nothing while the others
 * had records (measured flat out: one partition in six left out of fetch after fetch, its buffer
 * run dry, waiting out its batching window). Split, every active partition gets records from each
 * fetch and the response stays as large.
 */
export function partitionBytes(maxBytes: number, perPartition: number, active: number): number {
  return active > 0 ? Math.min(perPartition, Math.max(1, Math.floor(maxBytes / active))) : perPartition;
}

/** Resolves after `ms`, or at once when the group resumes a partition meanwhile. */
function pausedWait(group: ConsumerGroupLike, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let wakers = waiting.get(group);
    if (!wakers) waiting.set(group, (wakers = new Set()));
    const wake = () => {
      clearTimeout(timer);
      wakers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    wakers.add(wake);
  });
}

/**
 * Wraps ConsumerGroup's fetch and resume once per process; they act differently only for groups
 * whose client was built with a socket factory carrying `marker`. `finishBatches` sees the batches
 * of every fetch, as soon as kafkajs's fetch returns them.
 */
export function installPausedFetch(ConsumerGroup: ConsumerGroupClass, marker: symbol, finishBatches: (batches: unknown[]) => void = () => {}): boolean {
  const proto = ConsumerGroup.prototype;
  const { fetch, resume } = proto;
  if (typeof fetch !== 'function' || typeof resume !== 'function') return false;
  if (fetch[PATCHED]) return true;
  const marked = (group: ConsumerGroupLike) => {
    const factory = group.cluster?.brokerPool?.seedBroker?.connectionPool?.socketFactory as { [key: symbol]: unknown } | undefined;
    return factory?.[marker] === true;
  };
  // Every group's batches are finished (not only the marked ones'): a withheld record must never
  // reach eachBatch missing, whatever marked() makes of the group at that moment.
  const kafkajsFetch = async (group: ConsumerGroupLike, nodeId: number): Promise<unknown[]> => {
    const batches = await fetch.call(group, nodeId);
    finishBatches(batches);
    return batches;
  };
  const patched: typeof fetch = async function (this, nodeId) {
    if (!marked(this)) return kafkajsFetch(this, nodeId);
    let settings = configured.get(this);
    if (settings === undefined) configured.set(this, (settings = { wait: this.maxWaitTime, partitionBytes: this.maxBytesPerPartition }));
    let counts: { paused: number; assigned: number };
    try {
      counts = pausedCount(this, nodeId);
    } catch {
      counts = { paused: 0, assigned: 0 };
    }
    this.maxWaitTime = counts.paused > 0 ? Math.min(settings.wait, PAUSED_MAX_WAIT_MS) : settings.wait;
    this.maxBytesPerPartition = partitionBytes(this.maxBytes, settings.partitionBytes, counts.assigned - counts.paused);
    if (counts.assigned === 0 || counts.paused < counts.assigned) return kafkajsFetch(this, nodeId);
    // kafkajs's own steps before its empty-request sleep, with its own recovery on failure.
    try {
      await this.cluster.refreshMetadataIfNecessary();
      this.checkForStaleAssignment();
      await this.seekOffsets(this.filterPartitionsByNode(nodeId, this.subscriptionState.assigned()));
      if (allPaused(this, nodeId)) {
        await pausedWait(this, settings.wait);
        return [];
      }
    } catch (error) {
      await this.recoverFromFetch(error);
      return [];
    }
    return kafkajsFetch(this, nodeId);
  };
  patched[PATCHED] = true;
  proto.fetch = patched;
  proto.resume = function (this, topicPartitions) {
    resume.call(this, topicPartitions);
    const wakers = waiting.get(this);
    if (wakers) for (const wake of [...wakers]) wake();
  };
  return true;
}
