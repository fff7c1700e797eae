import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { batchOutcome, type BatchOutcome } from './batch-outcome.ts';
import { PartitionWorker, type PartitionPorts, type PartitionSettings } from './partition-worker.ts';
import type { ReplayRecord } from './replay-file.ts';

function records(from: number, to: number, topic = 'in'): ReplayRecord[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    topic,
    partition: 0,
    offset: from + i,
    timestamp: 1,
    timestampType: 'CREATE_TIME',
    key: 'aw==',
    value: 'e30=',
    headers: [],
  }));
}

type Script = (batch: number[], call: number) => BatchOutcome | Promise<BatchOutcome>;

function harness(settings: Partial<PartitionSettings>, script: Script = () => ({ status: 'ok' }), overrides: Partial<PartitionPorts> = {}) {
  const clock = settings.clock instanceof ManualClock ? settings.clock : new ManualClock();
  const log: string[] = [];
  const batches: number[][] = [];
  const discarded: number[][] = [];
  const ports: PartitionPorts = {
    invoke: async (rs) => {
      const offsets = rs.map((r) => r.offset);
      batches.push(offsets);
      log.push(`invoke ${offsets[0]}..${offsets.at(-1)}`);
      return script(offsets, batches.length);
    },
    commit: async (offset) => void log.push(`commit ${offset}`),
    discard: async (rs, _error, attempts) => {
      discarded.push(rs.map((r) => r.offset));
      log.push(`discard ${rs[0]!.offset}..${rs.at(-1)!.offset} after ${attempts}`);
    },
    pause: () => void log.push('pause'),
    resume: () => void log.push('resume'),
    succeeded: () => {},
    failed: (error, attempt) => void log.push(`failed#${attempt} ${(error as Error).message}`),
    commitFailed: (error, offset) => void log.push(`not committed ${offset}: ${(error as Error).message}`),
    ...overrides,
  };
  const worker = new PartitionWorker('in', 0, { batchSize: 10, batchWindowMs: 20, maxRetries: -1, retryDelayMs: 1, maxBufferedRecords: 1000, ...settings, clock }, ports);
  /**
   * Lets the worker run until `check` holds, moving its clock to the next timer (a window closing,
   * a backoff ending) whenever it has nothing else to do. No real time passes.
   */
  const until = async (check: () => boolean): Promise<void> => {
    for (let step = 0; step < 10_000; step++) {
      await settle();
      if (check()) return;
      if (clock.pending > 0) clock.advance(clock.nextDue() - clock.now());
    }
    throw new Error(`never happened; log: ${log.join(' | ')}`);
  };
  return { worker, log, batches, discarded, clock, until };
}

/** Every promise chain that waits on nothing but other promises has run when this resolves. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PartitionWorker', () => {
  it('closes batches at the batch size, then at the window, committing after each success', async () => {
    // The worker's clock is driven here: the last, short batch can only close once it reads 60.
    const clock = new ManualClock();
    const seen: number[] = [];
    const h = harness({ batchWindowMs: 60, clock }, () => {
      seen.push(clock.now());
      return { status: 'ok' };
    });
    h.worker.push(records(0, 24));
    await settle();
    expect(h.batches).toHaveLength(2);
    clock.advance(59);
    await settle();
    expect(h.batches).toHaveLength(2);
    clock.advance(1);
    await h.until(() => h.batches.length === 3);
    expect(h.batches.map((b) => [b[0], b.at(-1)])).toEqual([[0, 9], [10, 19], [20, 24]]);
    expect(seen).toEqual([0, 0, 60]);
    await h.worker.stop();
    expect(h.log).toEqual(['invoke 0..9', 'commit 10', 'invoke 10..19', 'commit 20', 'invoke 20..24', 'commit 25']);
  });

  it('tells how long each record waited between its arrival and its batch start, once per run of records that arrived together', async () => {
    const clock = new ManualClock();
    const waits: Array<[number, number]> = [];
    let release: (() => void) | undefined;
    const h = harness(
      { batchWindowMs: 0, batchSize: 3, clock },
      (batch) => (batch[0] === 0 ? new Promise((resolve) => (release = () => resolve({ status: 'ok' }))) : { status: 'ok' }),
      { queued: (ms, records) => void waits.push([ms, records]) },
    );
    h.worker.push(records(0, 1));
    await settle();
    // The first batch went at once; these arrive while it is in flight and wait for it.
    clock.advance(5);
    h.worker.push(records(2, 2));
    clock.advance(7);
    h.worker.push(records(3, 3));
    clock.advance(3);
    release!();
    await h.until(() => h.log.includes('commit 4'));
    await h.worker.stop();
    expect(h.batches).toEqual([[0, 1], [2, 3]]);
    expect(waits).toEqual([
      [0, 2],
      [10, 1],
      [3, 1],
    ]);
  });

  it('wakes for pushed records through deferWake, once per turn, and not before it runs', async () => {
    const deferred: Array<() => void> = [];
    const h = harness({ batchWindowMs: 0, batchSize: 10, deferWake: (wake) => void deferred.push(wake) });
    h.worker.push(records(0, 3));
    h.worker.push(records(4, 5));
    await settle();
    // Records are held (and counted for backpressure) at once, but nothing runs until the deferred wake.
    expect(h.batches).toEqual([]);
    expect(h.worker.room()).toBe(1000 - 6);
    expect(deferred).toHaveLength(1);
    deferred.shift()!();
    await h.until(() => h.log.includes('commit 6'));
    expect(h.batches).toEqual([[0, 1, 2, 3, 4, 5]]);
    h.worker.push(records(6, 6));
    expect(deferred).toHaveLength(1);
    deferred.shift()!();
    await h.until(() => h.log.includes('commit 7'));
    await h.worker.stop();
    expect(h.batches).toEqual([[0, 1, 2, 3, 4, 5], [6]]);
  });

  it('retries a failed batch until it succeeds and commits only then', async () => {
    const h = harness({}, (_b, call) => (call <= 2 ? { status: 'failed', error: new Error(`boom ${call}`) } : { status: 'ok' }));
    h.worker.push(records(0, 9));
    await h.until(() => h.log.includes('commit 10'));
    await h.worker.stop();
    expect(h.log).toEqual(['invoke 0..9', 'failed#1 boom 1', 'invoke 0..9', 'failed#2 boom 2', 'invoke 0..9', 'commit 10']);
  });

  it('honours batchItemFailures: commits up to the failed offset and resumes from it', async () => {
    let failedOnce = false;
    const h = harness({ batchWindowMs: 30 }, (batch) => {
      if (!failedOnce && batch.includes(5)) {
        failedOnce = true;
        return batchOutcome({ batchItemFailures: [{ itemIdentifier: { partition: 'in-0', offset: 7 } }, { itemIdentifier: { partition: 'in-0', offset: '5' } }] }, records(batch[0]!, batch.at(-1)!));
      }
      return { status: 'ok' };
    });
    h.worker.push(records(0, 19));
    await h.until(() => h.log.includes('commit 20'));
    await h.worker.stop();
    expect(h.log).toEqual([
      'invoke 0..9',
      'commit 5',
      'failed#1 the function reported a failure at offset 5',
      'invoke 5..14',
      'commit 15',
      'invoke 15..19',
      'commit 20',
    ]);
  });

  it('sends the failed records to the on-failure destination once retries are spent, then moves on', async () => {
    const h = harness({ maxRetries: 2, batchSize: 5 }, (batch) => (batch.includes(7) ? { status: 'failed', error: new Error('poison') } : { status: 'ok' }));
    h.worker.push(records(0, 14));
    await h.until(() => h.log.includes('commit 15'));
    await h.worker.stop();
    expect(h.log).toEqual([
      'invoke 0..4',
      'commit 5',
      'invoke 5..9',
      'failed#1 poison',
      'invoke 5..9',
      'failed#2 poison',
      'invoke 5..9',
      'failed#3 poison',
      'discard 5..9 after 3',
      'commit 10',
      'invoke 10..14',
      'commit 15',
    ]);
  });

  it('keeps to its retry backoff while new records arrive', async () => {
    const clock = new ManualClock();
    const invokedAt: number[] = [];
    const h = harness({ retryDelayMs: 150, clock }, (_b, call) => {
      invokedAt.push(clock.now());
      return call === 1 ? { status: 'failed', error: new Error('once') } : { status: 'ok' };
    });
    h.worker.push(records(0, 9));
    await settle();
    expect(h.log).toEqual(['invoke 0..9', 'failed#1 once']);
    // Full batches arrive during the backoff; none of them cuts it short.
    for (let i = 10; i < 30; i += 5) {
      clock.advance(10);
      h.worker.push(records(i, i + 4));
      await settle();
    }
    clock.advance(149 - clock.now());
    await settle();
    expect(invokedAt).toEqual([0]);
    clock.advance(1);
    await h.until(() => h.log.includes('commit 30'));
    await h.worker.stop();
    expect(invokedAt).toEqual([0, 150, 150, 150]);
    // A batch's commit overlaps the next batch (commit 20 lands while 20..29 runs).
    expect(h.log).toEqual(['invoke 0..9', 'failed#1 once', 'invoke 0..9', 'commit 10', 'invoke 10..19', 'invoke 20..29', 'commit 20', 'commit 30']);
  });

  it('pauses fetching when its buffer is full and resumes once a whole batch fits again', async () => {
    let release: () => void = () => {};
    const gate = new Promise<BatchOutcome>((resolve) => (release = () => resolve({ status: 'ok' })));
    const h = harness({ maxBufferedRecords: 25, batchSize: 10 }, (_b, call) => (call === 1 ? gate : { status: 'ok' }));
    h.worker.push(records(0, 9));
    await h.until(() => h.batches.length === 1);
    expect(h.worker.room()).toBe(25);
    h.worker.push(records(10, 34));
    expect(h.worker.room()).toBe(0);
    expect(h.log).toEqual(['invoke 0..9', 'pause']);
    release();
    await h.until(() => h.log.includes('commit 35'));
    await h.worker.stop();
    // Taking 10..19 leaves 15 of 25 buffered: room for a batch, so fetching resumes before it runs.
    expect(h.log).toEqual(['invoke 0..9', 'pause', 'commit 10', 'resume', 'invoke 10..19', 'invoke 20..29', 'commit 20', 'commit 30', 'invoke 30..34', 'commit 35']);
  });

  it('overlaps a commit with the next batch, never committing an offset before its batch succeeded', async () => {
    // The broker holds the first commit; the function holds the second batch.
    let takeCommit: () => void = () => {};
    const held = new Promise<void>((resolve) => (takeCommit = resolve));
    let finish: () => void = () => {};
    const second = new Promise<BatchOutcome>((resolve) => (finish = () => resolve({ status: 'ok' })));
    const commits: number[] = [];
    const h = harness({}, (_b, call) => (call === 2 ? second : { status: 'ok' }), {
      commit: async (offset) => {
        commits.push(offset);
        if (offset === 10) await held;
      },
    });
    h.worker.push(records(0, 29));
    await h.until(() => h.batches.length === 2);
    // Batch 10..19 runs while offset 10 is still with the broker, and nothing past 10 is asked for.
    expect(commits).toEqual([10]);
    finish();
    await h.until(() => h.batches.length === 3);
    // 10..19 succeeded, but its commit waits behind the one in flight: commits stay in order.
    expect(commits).toEqual([10]);
    takeCommit();
    await h.until(() => h.worker.committedOffset() === 30);
    await h.worker.stop();
    // The commits queued behind the slow one went as one, at the highest offset processed.
    expect(commits).toEqual([10, 30]);
    expect(h.batches.map((b) => b[0])).toEqual([0, 10, 20]);
  });

  it('ignores records it already holds (a rebalance refetches from the last commit)', async () => {
    const h = harness({ batchWindowMs: 10 });
    h.worker.push(records(0, 4));
    expect(h.worker.wants(3)).toBe(false);
    h.worker.push(records(3, 7));
    await h.until(() => h.log.includes('commit 8'));
    await h.worker.stop();
    expect(h.batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
  });

  it('on stop finishes the batch in flight and commits it, leaving buffered records uncommitted', async () => {
    let release: () => void = () => {};
    const gate = new Promise<BatchOutcome>((resolve) => (release = () => resolve({ status: 'ok' })));
    const h = harness({}, (_b, call) => (call === 1 ? gate : { status: 'ok' }));
    h.worker.push(records(0, 14));
    await h.until(() => h.batches.length === 1);
    const stopped = h.worker.stop();
    release();
    await stopped;
    expect(h.log).toEqual(['invoke 0..9', 'commit 10']);
  });

  it('on stop does not retry a failed batch, and commits nothing for it', async () => {
    const h = harness({ retryDelayMs: 10_000 }, () => ({ status: 'failed', error: new Error('down') }));
    h.worker.push(records(0, 9));
    await h.until(() => h.log.length === 2);
    await h.worker.stop();
    expect(h.log).toEqual(['invoke 0..9', 'failed#1 down']);
  });

  it('after revoke commits nothing, not even the batch in flight', async () => {
    let release: () => void = () => {};
    const gate = new Promise<BatchOutcome>((resolve) => (release = () => resolve({ status: 'ok' })));
    const h = harness({}, () => gate);
    h.worker.push(records(0, 14));
    await h.until(() => h.batches.length === 1);
    h.worker.revoke();
    release();
    await h.worker.finished;
    expect(h.log).toEqual(['invoke 0..9']);
    expect(h.worker.wants(20)).toBe(false);
  });
});

describe('PartitionWorker commits', () => {
  /** A broker that refuses the first `refusals` commits (a client that dropped them, say). */
  const refusing = (refusals: number, log: () => string[]) => ({
    commit: async (offset: number) => {
      if (refusals-- > 0) throw new Error('not taken');
      log().push(`commit ${offset}`);
    },
  });

  it('keeps a commit the broker did not take and retries it on its backoff until it is taken, with no new records', async () => {
    const clock = new ManualClock();
    let log: string[] = [];
    const h = harness({ retryDelayMs: 100, clock }, undefined, refusing(2, () => log));
    log = h.log;
    h.worker.push(records(0, 9));
    await settle();
    expect(h.log).toEqual(['invoke 0..9', 'not committed 10: not taken']);
    expect([h.worker.pendingCommit(), h.worker.committedOffset()]).toEqual([10, undefined]);
    clock.advance(99);
    await settle();
    expect(h.log).toHaveLength(2);
    clock.advance(1);
    await settle();
    expect(h.log.slice(2)).toEqual(['not committed 10: not taken']);
    clock.advance(199);
    await settle();
    expect(h.log).toHaveLength(3);
    clock.advance(1);
    await settle();
    expect(h.log.slice(3)).toEqual(['commit 10']);
    expect([h.worker.pendingCommit(), h.worker.committedOffset(), clock.pending]).toEqual([undefined, 10, 0]);
    await h.worker.stop();
  });

  it('retries a pending commit at once when asked (the consumer rejoined), and a later commit covers it', async () => {
    const clock = new ManualClock();
    let log: string[] = [];
    const h = harness({ retryDelayMs: 1_000, clock }, undefined, refusing(1, () => log));
    log = h.log;
    h.worker.push(records(0, 9));
    await settle();
    await h.worker.retryCommit();
    expect(h.log).toEqual(['invoke 0..9', 'not committed 10: not taken', 'commit 10']);
    expect(clock.pending).toBe(0);

    const later = harness({ retryDelayMs: 1_000, clock: new ManualClock() }, undefined, refusing(1, () => log));
    log = later.log;
    later.worker.push(records(0, 9));
    await settle();
    later.worker.push(records(10, 19));
    await settle();
    // The retry of 10 is not sent: 20 covers it.
    await later.worker.retryCommit();
    await later.worker.stop();
    expect(later.log).toEqual(['invoke 0..9', 'not committed 10: not taken', 'invoke 10..19', 'commit 20']);
    expect(later.worker.pendingCommit()).toBeUndefined();
  });

  it('on stop tries a pending commit once more and reports it when it is still not taken', async () => {
    let log: string[] = [];
    const h = harness({ retryDelayMs: 1_000 }, undefined, refusing(5, () => log));
    log = h.log;
    h.worker.push(records(0, 9));
    await settle();
    await h.worker.stop();
    expect(h.log).toEqual(['invoke 0..9', 'not committed 10: not taken', 'not committed 10: not taken']);
    expect([h.worker.pendingCommit(), h.worker.committedOffset(), h.clock.pending]).toEqual([10, undefined, 0]);
  });
});

describe('batchOutcome', () => {
  const batch = records(10, 12);
  it('reads the Lambda response shapes', () => {
    expect(batchOutcome(undefined, batch)).toEqual({ status: 'ok' });
    expect(batchOutcome({ batchItemFailures: [] }, batch)).toEqual({ status: 'ok' });
    expect(batchOutcome({ batchItemFailures: [{ itemIdentifier: { partition: 'in-0', offset: 11 } }] }, batch)).toEqual({
      status: 'partial',
      resumeAt: { 'in-0': 11 },
      reason: 'the function reported a failure at offset 11',
    });
  });

  it('fails the whole batch for identifiers that name no record of it', () => {
    for (const bad of [{ batchItemFailures: [{ itemIdentifier: 'in-0:11' }] }, { batchItemFailures: [{ itemIdentifier: { partition: 'in-1', offset: 11 } }] }, { batchItemFailures: [{ itemIdentifier: { partition: 'in-0', offset: 99 } }] }, { batchItemFailures: 'x' }]) {
      expect(batchOutcome(bad, batch).status).toBe('failed');
    }
  });
});
