import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pipeline } from '../dsp/pipeline.ts';
import { documentedEvent } from '../testing/fixtures.ts';
import { testHarness } from '../testing/harness.ts';
import { NdjsonSink } from '../sink/ndjson.ts';
import { defineFunction } from './define-function.ts';
import type { TombstonePolicy } from './definition.ts';

const sensor = (tombstones?: TombstonePolicy) =>
  defineFunction({
    name: 'tombstones',
    pipeline: pipeline().movingAverage({ window: 2 }),
    output: { topic: 'out', value: ({ record, output }) => ({ offset: record.offset, y: Array.from(output) }) },
    deadLetterTopic: 'dlq',
    ...(tombstones ? { tombstones } : {}),
  });

const batch = [
  { key: 'a', value: [1, 2] },
  { key: 'a', headers: { traceparent: 'tp-1' } }, // a tombstone: no value
  { key: 'a', value: [3] },
];

describe('tombstones', () => {
  it('are skipped by default: counted, no state touched, no dead letter, the batch goes on', async () => {
    const h = testHarness(sensor());
    await h.invoke(batch, { topic: 'in' });
    const plain = testHarness(sensor());
    await plain.invoke([batch[0]!, { ...batch[2]!, offset: 2 }], { topic: 'in' });
    expect(h.sink.json('out')).toEqual(plain.sink.json('out'));
    expect(h.sink.ofKind('dead-letter')).toEqual([]);
    expect(h.reports[0]).toMatchObject({ records: 3, results: 2, deadLetters: 0, tombstones: 1 });
    // The documented event's tombstone (a null value) too.
    const documented = testHarness(sensor());
    await documented.invoke(documentedEvent('msk-schema-registry'));
    expect(documented.reports[0]).toMatchObject({ records: 3, tombstones: 1 });
  });

  it("go to the dead-letter topic with tombstones: 'dead-letter' — still without a value, with their key, headers and the reason", async () => {
    const h = testHarness(sensor('dead-letter'));
    await h.invoke(batch, { topic: 'in' });
    expect(h.reports[0]).toMatchObject({ records: 3, results: 2, deadLetters: 1, tombstones: 0 });
    const [letter] = h.sink.ofKind('dead-letter');
    expect(letter).toMatchObject({ topic: 'dlq', key: Buffer.from('a'), value: null });
    expect(letter!.headers).toMatchObject({
      traceparent: Buffer.from('tp-1'),
      'dspfn-source-offset': '1',
      'dspfn-error-code': 'DSPFN_DECODE',
      'dspfn-error-reason': "the record is a tombstone (no value) and the function dead-letters tombstones (tombstones: 'dead-letter')",
    });
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new NdjsonSink(out).send([letter!]);
    expect(JSON.parse(text)).toMatchObject({ topic: 'dlq', key: 'a', tombstone: true });
  });

  it('are an option checked at definition time', () => {
    expect(() => sensor('drop' as TombstonePolicy)).toThrow(/tombstones/);
  });
});
