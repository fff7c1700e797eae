// Idle ticks racing batches: batches of one or two partitions (some delivered twice at once, some
// failing after their commit and delivered again) and up to three ticks start at points the
// scheduler picks, and every store call takes effect in an order it picks. Whatever the order, each
// partition's stored state, window results and late records are those of the invocations that wrote its index,
// run one after the other in the order their commits took effect; no window is closed twice. (Per
// partition: a tick that found a partition without open windows leaves it alone, as of its load.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduled } from '../../../test/fixtures/scheduled-store.ts';
import { minuteBatches, minutes, storedMinutes } from '../../../test/fixtures/windowed-minutes.ts';
import type { RecordInput } from '../../events/build.ts';
import { MemoryStateStore } from '../../state/memory.ts';
import type { StateStore } from '../../state/store.ts';
import { testHarness } from '../../testing/harness.ts';
import { partitionsKeyOf, readPartitions } from './state.ts';

const T0 = Date.UTC(2026, 0, 1);
const NOW = 1_000_000;
/** A minute after the batches' wall clock: every partition with open windows is idle. */
const TICK_AT = NOW + 60_000;

const delivery = fc.record({ twice: fc.boolean(), failsAfterCommit: fc.boolean() });
// Readings a few seconds to a minute and a half apart: some close windows, most leave them to the tick.
const batch = fc.record({ records: fc.array(fc.record({ key: fc.integer({ min: 0, max: 1 }), advance: fc.integer({ min: 0, max: 90_000 }), value: fc.integer({ min: -9, max: 9 }) }), { minLength: 1, maxLength: 3 }), delivery });
const scenario = fc.record({ partitions: fc.array(fc.array(batch, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 }), ticks: fc.integer({ min: 1, max: 3 }) });


/** What an invocation sent: a window result as sent, or `late <partition>@<offset>` for a late record. */
function partitionOf(sent: string): number {
  const late = /^late (\d+)@/.exec(sent);
  return late !== null ? Number(late[1]) : Number(/^k(\d+)-/.exec((JSON.parse(sent) as { key: string }).key)![1]);
}

/** One invocation: a batch at the batches' wall clock, or a tick. */
type Invocation = { records: RecordInput[] } | { tick: number };

async function invoke(invocation: Invocation, state: StateStore, results: string[]): Promise<void> {
  const fn = testHarness(minutes, { state, now: () => ('tick' in invocation ? invocation.tick : NOW) });
  try {
    if ('tick' in invocation) await fn.tick();
    else await fn.invoke(invocation.records, { topic: 'in' });
  } finally {
    for (const m of fn.sink.onTopic('out')) results.push(String(m.value));
    for (const m of fn.sink.onTopic('in.late')) results.push(`late ${String(m.headers['dspfn-source-partition'])}@${String(m.headers['dspfn-source-offset'])}`);
  }
}

function pick(values: Record<string, unknown>, keep: (key: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keep(key)));
}

/** Each window (key and start) with one result, or the results that disagree. */
function windowsOnce(results: readonly string[]): Record<string, string[]> {
  const byWindow: Record<string, Set<string>> = {};
  for (const r of results) {
    if (r.startsWith('late ')) continue;
    const { key, start } = JSON.parse(r) as { key: string; start: number };
    (byWindow[`${key}@${start}`] ??= new Set()).add(r);
  }
  return Object.fromEntries(Object.entries(byWindow).filter(([, set]) => set.size > 1).map(([id, set]) => [id, [...set]]));
}

describe('idle ticks racing batches', () => {
  it('leave the state and results of the invocations that committed, one after the other in commit order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.scheduler(), async ({ partitions, ticks }, s) => {
        const batches = minuteBatches(partitions, T0);
        const state = new MemoryStateStore();
        // Per partition, the invocations whose commit wrote its index, in the order they took effect.
        const applied: Invocation[][] = batches.map(() => []);
        // Results of the invocations that succeeded or whose commit took effect (then failed).
        const results: string[] = [];

        /** An invocation on the shared store through the scheduler; false when it failed. */
        const run = async (invocation: Invocation, failsAfterCommit: boolean): Promise<boolean> => {
          let wrote = false;
          const view = scheduled(s, state, failsAfterCommit, (outcome) => {
            for (const r of outcome) {
              const index = /!window-index:in-(\d+)$/.exec(r.key);
              if (index !== null && r.status === 'committed') applied[Number(index[1])]!.push(invocation);
            }
            wrote ||= outcome.some((r) => r.status === 'committed');
          });
          const own: string[] = [];
          try {
            await invoke(invocation, view, own);
            results.push(...own);
            return true;
          } catch {
            if (wrote) results.push(...own);
            return false;
          }
        };

        const work = Promise.all([
          // A partition's batches in order, as the event source hands them out; partitions at once.
          ...batches.map(async (own, partition) => {
            for (const [i, records] of own.entries()) {
              const { twice, failsAfterCommit } = partitions[partition]![i]!.delivery;
              const copies = [run({ records }, failsAfterCommit)];
              if (twice) copies.push(run({ records }, false));
              if (!(await Promise.all(copies)).some(Boolean)) await run({ records }, false);
            }
          }),
          // Ticks start whenever the scheduler lets them; a failed one is left to the next.
          ...Array.from({ length: ticks }, async () => {
            await s.schedule(Promise.resolve(), 'tick starts');
            await run({ tick: TICK_AT }, false);
          }),
        ]);
        await s.waitFor(work);
        // The last tick, once everything is in: it closes what is left.
        expect(await s.waitFor(run({ tick: TICK_AT + 60_000 }, false))).toBe(true);

        for (const [partition, own] of applied.entries()) {
          const reference = new MemoryStateStore();
          const expected: string[] = [];
          for (const invocation of own) await invoke(invocation, reference, expected);
          const mine = (key: string) => key.startsWith(`minutes:k${partition}-`) || key.endsWith(`!window-index:in-${partition}`);
          expect(pick(storedMinutes(state), mine)).toEqual(pick(storedMinutes(reference), mine));
          const actual = results.filter((r) => partitionOf(r) === partition);
          expect([...new Set(actual)].sort()).toEqual([...new Set(expected)].sort());
        }
        expect(readPartitions(state.get(partitionsKeyOf('minutes'))).map((p) => p.partition).sort()).toEqual(batches.map((_, p) => p));
        expect(windowsOnce(results)).toEqual({});
        // Every key's windows closed in the end, but for keys whose every record came after a tick had closed its window.
        const records = batches.flat(2);
        const emitted = new Set(results.filter((r) => !r.startsWith('late ')).map((r) => (JSON.parse(r) as { key: string }).key));
        const late = new Set(results.filter((r) => r.startsWith('late ')).map((r) => r.slice(5)));
        for (const key of new Set(records.map((r) => String(r.key)))) {
          if (!emitted.has(key)) expect(records.filter((r) => String(r.key) === key).every((r) => late.has(`${r.partition}@${r.offset}`)), key).toBe(true);
        }
      }),
      { numRuns: 120 },
    );
  });
});
