import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { inProcessEvent } from '../events/in-process.ts';
import { decodeRecord, parseKafkaEvent } from '../events/parse.ts';
import type { ParsedKafkaEvent } from '../events/types.ts';
import { kafkaRecord, lambdaRecord } from './kafka-records.ts';
import { recordEventBytes } from './limits.ts';

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const message = fc.record({
  offset: fc.integer({ min: 0, max: 2 ** 40 }).map(String),
  timestamp: fc.integer({ min: 0, max: 2 ** 42 }).map(String),
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(bytes, fc.string({ maxLength: 8 }), fc.array(fc.oneof(bytes, fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 3 }))),
  logAppend: fc.boolean(),
});

type Generated = typeof message extends fc.Arbitrary<infer T> ? T : never;

/** As kafkajs hands it to eachBatch (the timestamp type rides on its batch context). */
function kafkajsMessage({ logAppend, ...fields }: Generated): KafkaMessage {
  return Object.assign({ ...fields, attributes: 0, size: 0 }, { batchContext: { timestampType: logAppend ? 1 : 0 } }) as unknown as KafkaMessage;
}

describe('consumed records in-process', () => {
  it('hold exactly what the handler would decode from their Lambda shape, and count the same event bytes', () => {
    fc.assert(
      fc.property(message, (m) => {
        const fetched = kafkajsMessage(m);
        const direct = kafkaRecord('sensors-a', 3, fetched);
        const viaLambda = lambdaRecord('sensors-a', 3, fetched);
        expect(direct).toEqual(decodeRecord(viaLambda));
        expect(recordEventBytes(direct)).toBe(recordEventBytes(viaLambda));
      }),
    );
  });

  it('reach the parse step as they are, while the event stays Lambda-shaped for anyone who reads it', () => {
    const records = [0, 1].map((offset) => kafkaRecord('in-x', 2, kafkajsMessage({ offset: String(offset), timestamp: '5', key: Buffer.from('k'), value: Buffer.from([0, 255, 128]), headers: { h: [Buffer.from([200]), 'v'] }, logAppend: false })));
    const parsed: ParsedKafkaEvent = { eventSource: 'aws:kafka', eventSourceArn: 'arn:x', bootstrapServers: ['b:9092'], partitions: [{ topic: 'in-x', partition: 2, records }], malformed: [], recordCount: 2 };
    const untouched = inProcessEvent(parsed);
    expect(parseKafkaEvent(untouched)).toBe(parsed);

    const read = inProcessEvent(parsed);
    const lambda = read.records['in-x-2']!;
    expect(lambda[0]).toMatchObject({ topic: 'in-x', partition: 2, offset: 0, key: 'aw==', value: Buffer.from([0, 255, 128]).toString('base64'), headers: [{ h: [-56] }, { h: [118] }] });
    // Once read, the Lambda shape is what counts: a middleware may have changed it.
    lambda.pop();
    const reparsed = parseKafkaEvent(read);
    expect(reparsed).not.toBe(parsed);
    expect(reparsed.partitions[0]!.records).toEqual([records[0]]);
    expect({ ...reparsed, partitions: [] }).toEqual({ ...parsed, partitions: [], recordCount: 1 });
    // A copy (structuredClone, JSON) is a plain Lambda event.
    expect(parseKafkaEvent(JSON.parse(JSON.stringify(inProcessEvent(parsed))))).toEqual(parsed);
  });
});
