import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineFunction } from '../handler/define-function.ts';
import type { BatchReport } from '../handler/report.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { jsBackend } from '../dsp/backend.ts';
import { jsonLogger } from '../logger/logger.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { NdjsonSink, outputLineText } from './ndjson.ts';
import type { OutputKind, OutputMessage } from './sink.ts';

const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('{"a":1}', '[1,2', 'null', '', '\n', '\u2028', '"'));
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-f32le', 'text/plain', 'application/vnd.x+json', 'bogus');

/** Any message a sink can be handed, with any bytes behind any content type. */
const foreignMessage: fc.Arbitrary<OutputMessage> = fc.record({
  kind: fc.constantFrom<OutputKind>('result', 'log', 'dead-letter'),
  topic: fc.string({ maxLength: 10 }),
  key: fc.oneof(fc.constant(null), text, bytes),
  value: fc.oneof(fc.constant(null), text, bytes),
  headers: fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(text, bytes), { maxKeys: 3 }).chain((h) =>
    contentType.map((type) => ({ ...h, 'content-type': type })),
  ),
});

/** Results and logs as dspfn builds them: any JSON value, stringified. */
const ownMessage: fc.Arbitrary<OutputMessage> = fc.record({
  kind: fc.constantFrom<OutputKind>('result', 'log'),
  topic: fc.string({ maxLength: 10 }),
  key: fc.oneof(fc.constant(null), text),
  value: fc.jsonValue().map((v) => JSON.stringify(v)),
  headers: fc.constant({ 'content-type': 'application/json' }),
  serializedJson: fc.constant(true as const),
});

const anyMessage = fc.oneof(foreignMessage, ownMessage);

/** What Node's readline (the replay reader, `dspfn record`) would split a file into. */
function lines(text: string): string[] {
  return text.split(/\r?\n|\r/).filter((line) => line.length > 0);
}

describe('NDJSON output lines', () => {
  it('every line parses as one JSON object, whatever the message (dead letters with JSON content types included)', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 5 }), (messages) => {
        const text = messages.map((m) => outputLineText(m) + '\n').join('');
        const parsed = lines(text).map((line) => JSON.parse(line) as unknown);
        expect(parsed).toHaveLength(messages.length);
        parsed.forEach((line, i) => {
          expect(typeof line === 'object' && line !== null && !Array.isArray(line)).toBe(true);
          const message = messages[i]!;
          const { value, valueBase64, tombstone } = line as { value?: unknown; valueBase64?: string; tombstone?: true };
          // Nothing lost: a dead letter's bytes exactly, dspfn's JSON as it was written.
          if (message.value === null) expect(tombstone).toBe(true);
          else if (message.kind === 'dead-letter') expect(Buffer.from(valueBase64!, 'base64').equals(Buffer.from(message.value))).toBe(true);
          else if (message.serializedJson) expect(value).toEqual(JSON.parse(message.value as string));
        });
      }),
      { numRuns: 2_000 },
    );
  });

  it('a replay of arbitrary records writes an output file whose every line parses', async () => {
    const fn = defineFunction({
      name: 'ndjson-prop',
      pipeline: pipeline().rms({ window: 2 }),
      output: { topic: 'out', value: ({ output, record }) => ({ offset: record.offset, rms: Array.from(output) }) },
      deadLetterTopic: 'dlq',
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 6 })), value: fc.oneof(fc.constant(undefined), bytes, text), type: fc.option(contentType) }), { minLength: 1, maxLength: 8 }),
        async (inputs) => {
          const stream = new PassThrough();
          let written = '';
          stream.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
          const reports: BatchReport[] = [];
          const bound = fn.dspfn.withRuntime({ sink: new NdjsonSink(stream), state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent'), onBatch: (r) => reports.push(r) });
          const records = inputs.map((input, offset) => ({
            topic: 'in',
            partition: 0,
            offset,
            timestamp: 1,
            timestampType: 'CREATE_TIME' as const,
            ...(input.key === undefined ? {} : { key: Buffer.from(input.key).toString('base64') }),
            ...(input.value === undefined ? {} : { value: Buffer.from(input.value).toString('base64') }),
            headers: input.type === null ? [] : [{ 'content-type': [...Buffer.from(input.type)] }],
          }));
          await bound({ eventSource: 'aws:kafka', bootstrapServers: '', records: { 'in-0': records } } as never, lambdaContext());
          for (const line of lines(written)) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
          // One line per message; every record is applied (an empty one says nothing), dead-lettered or a skipped tombstone.
          const [report] = reports;
          expect(lines(written).length).toBe(report!.results + report!.deadLetters);
          expect(report!.applied + report!.deadLetters + report!.tombstones).toBe(inputs.length);
          expect(report!.tombstones).toBe(inputs.filter((i) => i.value === undefined).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
