import { describe, expect, it } from 'vitest';
import { avro } from '../codecs/avro.ts';
import { frame } from '../codecs/framing.ts';
import { protobuf } from '../codecs/protobuf.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { ConfigError, ErrorCode } from '../errors.ts';
import { documentedEvent } from '../testing/index.ts';
import { testHarness } from '../testing/harness.ts';
import { defineFunction } from './define-function.ts';

const schema = new URL('../codecs/fixtures/telemetry.proto', import.meta.url);

/** A function reading TelemetryFrames, its input written by hand (readings() does this in one line). */
function telemetryFunction(options: { codec?: 'raw' | ReturnType<typeof protobuf>; contentTypes?: false } = {}) {
  return defineFunction({
    name: 'telemetry',
    codec: options.codec ?? protobuf({ schema, type: 'telemetry.TelemetryFrame' }),
    ...(options.contentTypes === undefined ? {} : { contentTypes: options.contentTypes }),
    pipeline: pipeline().movingAverage({ window: 2 }),
    input: (payload, record) => {
      if (payload.codec !== 'protobuf') throw new Error(`expected protobuf, got ${payload.codec}`);
      return { key: record.key!.toString(), samples: [payload.value.speed as number], timestamp: payload.value.timestamp as number };
    },
    output: { topic: 'out', value: ({ output, timestamp }) => ({ speed: output[0], timestamp }) },
  });
}

describe('codecs in the handler', () => {
  it('decodes protobuf values with Confluent, AWS Glue (zlib) or no framing; a value that does not decode is dead-lettered with the parser reason', async () => {
    const codec = protobuf({ schema, type: 'telemetry.TelemetryFrame' });
    const bytes = (speed: number) => codec.encode({ speed, timestamp: 1_699_123_456_789 + speed });
    const fn = testHarness(telemetryFunction());
    await fn.invoke(
      [
        { key: 's-1', value: await bytes(100), headers: { 'content-type': 'application/x-protobuf' } },
        { key: 's-1', value: frame(await bytes(200), { kind: 'confluent', schemaId: 4, messageIndexes: [0] }, 'protobuf') },
        { key: 's-1', value: frame(await bytes(300), { kind: 'glue', schemaVersionId: '00112233-4455-6677-8899-aabbccddeeff', compression: 'zlib', messageIndexes: [0] }, 'protobuf') },
        { key: 's-1', value: Buffer.from([0x0a, 0x09, 0x01]) },
      ],
      { topic: 'telemetry' },
    );
    expect(fn.sink.json('out')).toEqual([
      { speed: 100, timestamp: 1_699_123_456_889 },
      { speed: 150, timestamp: 1_699_123_456_989 },
      { speed: 250, timestamp: 1_699_123_457_089 },
    ]);
    const [letter] = fn.sink.onTopic('telemetry.dlq');
    expect(letter!.headers['dspfn-error-code']).toBe(ErrorCode.Decode);
    expect(String(letter!.headers['dspfn-error-reason'])).toMatch(/^value is not a valid protobuf telemetry.TelemetryFrame: /);
  });

  it('a protobuf content-type no longer dead-letters a raw function; contentTypes: false ignores headers', async () => {
    const raw = testHarness(
      defineFunction({
        name: 'raw',
        codec: 'raw',
        pipeline: pipeline().movingAverage({ window: 1 }),
        input: (payload, record) => ({ key: record.key!.toString(), samples: [payload.codec === 'raw' ? payload.bytes.length : -1] }),
        output: { topic: 'out', value: ({ output }) => output[0] },
      }),
    );
    await raw.invoke([{ key: 'k', value: Buffer.from([8, 1, 2]), headers: { 'content-type': 'application/x-protobuf' } }]);
    expect(raw.sink.json('out')).toEqual([3]);
    expect(raw.sink.ofKind('dead-letter')).toEqual([]);

    const codec = protobuf({ schema, type: 'telemetry.TelemetryFrame' });
    const ignoring = testHarness(telemetryFunction({ codec, contentTypes: false }));
    await ignoring.invoke([{ key: 's', value: await codec.encode({ speed: 7 }), headers: { 'content-type': 'application/json' } }]);
    expect(ignoring.sink.json<{ speed: number }>('out').map((r) => r.speed)).toEqual([7]);
  });

  it('records the event source decoded with its schema registry (JSON mode) just work with json', async () => {
    const fn = testHarness(
      defineFunction({
        name: 'json-mode',
        pipeline: pipeline().movingAverage({ window: 1 }),
        input: (payload, record) => ({ key: record.key?.toString() ?? 'none', samples: [(payload as { value: { speed: number } }).value.speed] }),
        output: { topic: 'out', value: ({ key, output }) => ({ key, speed: output[0] }) },
      }),
    );
    const event = documentedEvent('msk-schema-registry');
    await fn.invoke(event);
    expect(fn.sink.json('out')).toEqual([
      { key: 'session-9', speed: 212.5 },
      { key: 'none', speed: 213 },
    ]);
  });

  it('rejects a codec that is not one, and loads schemas in warm() where a bad one throws', async () => {
    expect(() => telemetryFunction({ codec: 'yaml' as never })).toThrow(/invalid function definition: codec/);
    const broken = defineFunction({
      name: 'broken',
      codec: avro({ schema: { type: 'record', name: 'R', fields: [{ name: 'a', type: 'nope' }] } }),
      pipeline: pipeline().movingAverage({ window: 1 }),
      output: { topic: 'out', value: () => 1 },
    });
    const bound = testHarness(broken);
    await expect(bound.invoke([{ key: 'k', value: 'x' }])).rejects.toThrow(ConfigError);
    await expect(broken.dspfn.withRuntime({}).dspfn.warm()).rejects.toThrow(/avro schema schema object is not valid/);
  });
});
