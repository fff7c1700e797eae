// outgoing hands the sink the results array itself when it has nothing to add (no copy for the sink
// to keep alive until Kafka acknowledges the batch), and a new array, results untouched, otherwise.
import { describe, expect, it } from 'vitest';
import type { OutputMessage } from '../../sink/sink.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { BatchReport } from '../report.ts';
import { outgoing, type BatchMessages } from './build-messages.ts';

const message = (kind: OutputMessage['kind'], n: number): OutputMessage => ({ kind, topic: kind, key: `k${n}`, value: Buffer.from(`{"n":${n}}`), headers: {} });
const fnWith = (logTopic?: string) => ({ name: 'f', definition: { logTopic } }) as unknown as PreparedFunction<unknown>;
const report = { functionName: 'f', requestId: 'r', records: 2, timings: {} } as unknown as BatchReport;

describe('outgoing', () => {
  it('is the results array itself with no dead letters and no log topic', () => {
    const results = [message('result', 1), message('result', 2)];
    const messages: BatchMessages = { results, deadLetters: [], rejected: [] };
    expect(outgoing(messages, report, fnWith())).toBe(results);
  });

  it('is a new array of results then dead letters then the batch log, results untouched', () => {
    const results = [message('result', 1), message('result', 2)];
    const dead = message('dead-letter', 3);
    const withDead = outgoing({ results, deadLetters: [dead], rejected: [] }, report, fnWith());
    expect(withDead).not.toBe(results);
    expect(withDead).toEqual([...results, dead]);
    const withLog = outgoing({ results, deadLetters: [], rejected: [] }, report, fnWith('batches'));
    expect(withLog).not.toBe(results);
    expect(withLog.slice(0, 2)).toEqual(results);
    expect(withLog[2]!.topic).toBe('batches');
    expect(results).toHaveLength(2);
  });
});
