import { describe, expect, it } from 'vitest';
import { allPaused, installPausedFetch, partitionBytes, PAUSED_MAX_WAIT_MS } from './kafkajs-paused-fetch.ts';

const MARK = Symbol('test.marker');

/** The parts of kafkajs's ConsumerGroup the wrapper touches, with the original fetch's calls counted. */
function groupClass(finished: unknown[][] = []) {
  class Group {
    maxWaitTime = 250;
    maxBytes = 10 * 1024 * 1024;
    maxBytesPerPartition = 2 * 1024 * 1024;
    partitionBytes: number[] = [];
    partitions = [0, 1];
    paused = new Set<number>();
    fetches = 0;
    steps: string[] = [];
    cluster: { refreshMetadataIfNecessary(): Promise<void>; brokerPool: { seedBroker: { connectionPool: { socketFactory: object } } } };
    subscriptionState = {
      assigned: () => [{ topic: 't', partitions: this.partitions }],
      isPaused: (_topic: string, partition: number) => this.paused.has(partition),
    };
    constructor(marked: boolean) {
      const socketFactory = marked ? { [MARK]: true } : {};
      this.cluster = { refreshMetadataIfNecessary: async () => void this.steps.push('metadata'), brokerPool: { seedBroker: { connectionPool: { socketFactory } } } };
    }
    checkForStaleAssignment() {
      this.steps.push('assignment');
    }
    filterPartitionsByNode(_nodeId: number, topicPartitions: Array<{ topic: string; partitions: number[] }>) {
      return topicPartitions;
    }
    async seekOffsets() {
      this.steps.push('seek');
    }
    async recoverFromFetch(error: unknown) {
      throw error;
    }
    waits: number[] = [];
    async fetch(_nodeId: number): Promise<unknown[]> {
      this.fetches++;
      this.waits.push(this.maxWaitTime);
      this.partitionBytes.push(this.maxBytesPerPartition);
      return ['batch'];
    }
    resume(partitions: number[]) {
      for (const p of partitions) this.paused.delete(p);
    }
  }
  expect(installPausedFetch(Group as never, MARK, (batches) => finished.push(batches))).toBe(true);
  return Group;
}

describe('kafkajs fetch with every partition paused', () => {
  it('knows when every assigned partition is paused', () => {
    const Group = groupClass();
    const group = new Group(true);
    expect(allPaused(group as never, 1)).toBe(false);
    group.paused.add(0);
    expect(allPaused(group as never, 1)).toBe(false);
    group.paused.add(1);
    expect(allPaused(group as never, 1)).toBe(true);
  });

  it('fetches as kafkajs does while a partition is active, with a short long-poll while another is paused', async () => {
    const group = new (groupClass())(true);
    expect(await group.fetch(1)).toEqual(['batch']);
    group.paused.add(0);
    expect(await group.fetch(1)).toEqual(['batch']);
    group.resume([0]);
    await group.fetch(1);
    expect(group.waits).toEqual([250, PAUSED_MAX_WAIT_MS, 250]);
  });

  it('runs kafkajs checks, then waits for a resume instead of its whole maxWaitTime', async () => {
    const group = new (groupClass())(true);
    group.maxWaitTime = 1e9;
    group.paused.add(0).add(1);
    const fetched = group.fetch(1);
    // The wait is a billion ms: only the resume below can end it within the test's timeout.
    await new Promise((resolve) => setImmediate(resolve));
    expect(group.steps).toEqual(['metadata', 'assignment', 'seek']);
    group.resume([1]);
    expect(await fetched).toEqual([]);
    expect(group.fetches).toBe(0);
    // The next round finds partition 1 active and fetches.
    expect(await group.fetch(1)).toEqual(['batch']);
  });

  it('leaves unmarked clients to kafkajs', async () => {
    const group = new (groupClass())(false);
    group.paused.add(0);
    await group.fetch(1);
    group.paused.add(1);
    expect(await group.fetch(1)).toEqual(['batch']);
    expect(group.waits).toEqual([250, 250]);
  });

  it("hands every fetch's batches to finishBatches, marked client or not, before the caller gets them", async () => {
    const finished: unknown[][] = [];
    const Group = groupClass(finished);
    const marked = new Group(true);
    const unmarked = new Group(false);
    const a = await marked.fetch(1);
    marked.paused.add(0);
    const b = await marked.fetch(1);
    const c = await unmarked.fetch(1);
    expect(finished).toHaveLength(3);
    expect(finished[0]).toBe(a);
    expect(finished[1]).toBe(b);
    expect(finished[2]).toBe(c);
  });

  it("splits the response's maxBytes among the active partitions, at most each one's configured maxBytesPerPartition", async () => {
    expect(partitionBytes(10_485_760, 2_097_152, 6)).toBe(1_747_626);
    expect(partitionBytes(10_485_760, 2_097_152, 5)).toBe(2_097_152);
    expect(partitionBytes(10_485_760, 2_097_152, 0)).toBe(2_097_152);
    expect(partitionBytes(100, 2_097_152, 1000)).toBe(1);
    const group = new (groupClass())(true);
    group.partitions = [0, 1, 2, 3, 4, 5];
    await group.fetch(1);
    group.paused.add(0).add(1);
    await group.fetch(1);
    group.resume([0, 1]);
    await group.fetch(1);
    expect(group.partitionBytes).toEqual([1_747_626, 2_097_152, 1_747_626]);
    // Unmarked clients keep kafkajs's own.
    const unmarked = new (groupClass())(false);
    unmarked.partitions = [0, 1, 2, 3, 4, 5];
    await unmarked.fetch(1);
    expect(unmarked.partitionBytes).toEqual([2_097_152]);
  });

  it('wraps a class once', () => {
    const Group = groupClass();
    const fetch = Group.prototype.fetch;
    expect(installPausedFetch(Group as never, MARK)).toBe(true);
    expect(Group.prototype.fetch).toBe(fetch);
  });
});
