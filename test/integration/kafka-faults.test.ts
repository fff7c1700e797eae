// The fault suite: `dspfn consume` and the handler against the run's real broker (halted and
// restarted here) and Redis servers of its own (killed with SIGKILL here), and the CLI killed with
// SIGKILL. Each test checks the same three things: nothing lost (every source record has its
// result), nothing applied twice (every result equals the one an in-memory run in one go gives,
// which a record applied twice would change), and the group's committed offsets as the broker has
// them. Waits are on conditions (offsets, counters, files), never on elapsed time.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { jsonLogger, KafkaSink, MemoryStateStore, type OutputMessage, type Sink } from '../../core/adapters/index.ts';
import { consume, type ConsumeController } from '../../core/local/index.ts';
import { haltKafka, restartKafka, startKafka, type KafkaServer } from '../servers/kafka.ts';
import { asRecords, createTopics, endOffsets, groupOffsets, produce, readings, readTopics, reference, sensorRmsOn, sourceOf, unique, waitFor, type Received } from './kafka-support.ts';

const quiet = jsonLogger({}, 'silent');

/** Each source record's results, by "partition@offset". */
function bySource(messages: readonly Received[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) out.set(sourceOf(m), [...(out.get(sourceOf(m)) ?? []), m.value.toString()]);
  return out;
}

/** Nothing lost, nothing applied twice: every source record has results, each equal to the in-memory run's. */
function expectExactlyApplied(results: readonly Received[], expected: ReadonlyMap<string, string>): void {
  const sources = bySource(results);
  expect([...sources.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [source, values] of sources) for (const value of values) expect(value, source).toBe(expected.get(source));
}

describe('faults', () => {
  const sharedBrokers = inject('kafkaBrokers');
  const sharedDir = inject('kafkaDir');
  const running: ConsumeController[] = [];
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    await Promise.allSettled(running.map((c) => c.stop()));
    for (const step of cleanup.reverse()) await step().catch(() => {});
  });

  /** The run's broker when this run started it; else (an external broker) one of this file's own. */
  let restartable: KafkaServer | undefined;
  const broker = async (): Promise<{ brokers: string; dir: string }> => {
    if (sharedDir !== null) return { brokers: sharedBrokers, dir: sharedDir };
    if (!restartable) {
      restartable = await startKafka();
      cleanup.push(() => restartable!.stop());
    }
    return restartable;
  };

  it('broker stopped and restarted mid-consume: the commit it missed is retried, stats claim only what the broker took', async () => {
    const { brokers, dir } = await broker();
    const [src, out] = [unique('fault-restart-src'), unique('fault-restart-out')];
    await createTopics(brokers, { [src]: 1, [out]: 1 });
    await produce(brokers, src, readings(3, 20)); // offsets 0..59
    const fn = sensorRmsOn(out);
    const groupId = unique('g');
    const inner = new KafkaSink({ brokers, logger: quiet });
    cleanup.push(() => inner.close());
    // The broker goes away right after the last batch's results were acknowledged: the function
    // succeeds, and its offsets are committed while the broker is down and the consumer restarting.
    let halting: Promise<void> | undefined;
    const sink: Sink = {
      name: 'halts-after-last',
      async send(messages: readonly OutputMessage[]) {
        await inner.send(messages);
        if (!halting && messages.some((m) => m.headers['dspfn-source-offset'] === '59')) {
          halting = haltKafka(dir);
          await halting;
        }
      },
      close: async () => {},
    };

    const t00=Date.now();
    const controller = await consume({ handler: fn, brokers, topic: src, groupId, fromBeginning: true, batchSize: 20, batchWindowMs: 20, sink, state: new MemoryStateStore(), logger: jsonLogger({}, 'debug'), logLevel: 'silent', retryDelayMs: 50, statsIntervalMs: 200, sessionTimeoutMs: 6_000 });
    running.push(controller);
    console.log('consume started', Date.now()-t00);
    await waitFor(() => halting !== undefined, 30_000, 'the last batch produced');
    const t0=Date.now();
    await halting;
    console.log('halted', Date.now()-t0);
    await restartKafka(dir);
    console.log('restarted', Date.now()-t0);
    await waitFor(() => controller.stats().committed[`${src}-0`] === 60, 90_000, 'consume to commit offset 60');
    console.log('committed', Date.now()-t0, JSON.stringify(controller.stats()));
    // Claimed as committed: the broker has it.
    expect(await groupOffsets(brokers, groupId, src)).toEqual([60]);
    const stats = await controller.stop();

    expect(stats.committed).toEqual({ [`${src}-0`]: 60 });
    expect(await groupOffsets(brokers, groupId, src)).toEqual(await endOffsets(brokers, src));
    expect(stats).toMatchObject({ consumed: 60, dropped: 0 });
    const expected = await reference(fn, await asRecords(brokers, src, 60));
    expectExactlyApplied(await readTopics(brokers, [out], 60), expected);
  }, 180_000);
});
