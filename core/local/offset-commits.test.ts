import { describe, expect, it } from 'vitest';
import { OffsetCommits, type PartitionOffset } from './offset-commits.ts';

/** A broker whose answers the test gives, and a deferral the test runs (no real time passes). */
function harness() {
  const requests: Array<{ offsets: PartitionOffset[]; answer: (error?: Error) => void }> = [];
  const deferred: Array<() => void> = [];
  const commits = new OffsetCommits(
    (offsets) =>
      new Promise<void>((resolve, reject) => {
        requests.push({ offsets, answer: (error) => (error ? reject(error) : resolve()) });
      }),
    (run) => void deferred.push(run),
  );
  const turn = async () => {
    for (const run of deferred.splice(0)) run();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
  };
  const flushMicrotasks = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { commits, requests, deferred, turn, flushMicrotasks };
}

function outcome(promise: Promise<void>) {
  const state = { settled: 'pending' as 'pending' | 'resolved' | 'rejected', error: undefined as unknown };
  promise.then(
    () => void (state.settled = 'resolved'),
    (error: unknown) => {
      state.settled = 'rejected';
      state.error = error;
    },
  );
  return state;
}

describe('OffsetCommits', () => {
  it('sends the commits of one turn as one request, each partition at its highest offset', async () => {
    const h = harness();
    const a = outcome(h.commits.commit('in', 0, 10));
    const b = outcome(h.commits.commit('in', 1, 7));
    const c = outcome(h.commits.commit('in', 0, 12));
    expect(h.requests).toHaveLength(0);
    await h.turn();
    expect(h.requests.map((r) => r.offsets)).toEqual([
      [
        { topic: 'in', partition: 0, offset: 12 },
        { topic: 'in', partition: 1, offset: 7 },
      ],
    ]);
    expect([a.settled, b.settled, c.settled]).toEqual(['pending', 'pending', 'pending']);
    h.requests[0]!.answer();
    await h.flushMicrotasks();
    expect([a.settled, b.settled, c.settled]).toEqual(['resolved', 'resolved', 'resolved']);
  });

  it('keeps one request in flight; what is asked meanwhile goes together in the next', async () => {
    const h = harness();
    const first = outcome(h.commits.commit('in', 0, 5));
    await h.turn();
    const second = outcome(h.commits.commit('in', 0, 8));
    const other = outcome(h.commits.commit('other', 3, 2));
    await h.turn();
    expect(h.requests).toHaveLength(1);
    h.requests[0]!.answer();
    await h.flushMicrotasks();
    expect(first.settled).toBe('resolved');
    expect(second.settled).toBe('pending');
    await h.turn();
    expect(h.requests.map((r) => r.offsets)).toEqual([
      [{ topic: 'in', partition: 0, offset: 5 }],
      [
        { topic: 'in', partition: 0, offset: 8 },
        { topic: 'other', partition: 3, offset: 2 },
      ],
    ]);
    h.requests[1]!.answer();
    await h.flushMicrotasks();
    expect([second.settled, other.settled]).toEqual(['resolved', 'resolved']);
  });

  it('rejects exactly the commits of a failed request; later commits go in a new one', async () => {
    const h = harness();
    const failed = outcome(h.commits.commit('in', 0, 5));
    await h.turn();
    const later = outcome(h.commits.commit('in', 1, 9));
    const refused = new Error('not in the group');
    h.requests[0]!.answer(refused);
    await h.flushMicrotasks();
    expect(failed).toEqual({ settled: 'rejected', error: refused });
    expect(later.settled).toBe('pending');
    await h.turn();
    expect(h.requests[1]!.offsets).toEqual([{ topic: 'in', partition: 1, offset: 9 }]);
    h.requests[1]!.answer();
    await h.flushMicrotasks();
    expect(later.settled).toBe('resolved');
  });

  it('sends nothing when nothing is asked', async () => {
    const h = harness();
    await h.turn();
    expect(h.deferred).toHaveLength(0);
    expect(h.requests).toHaveLength(0);
  });
});
