import type { Writer } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { fastProduceProducer, GET_API, PartitionRecords, PartitionSequences } from './platformatic-fast-produce.ts';
import { ARENA_LIMIT, BatchArena, HEADROOM } from './record-batch.ts';

// A stand-in for @platformatic/kafka with just what the hook touches: the Producer's private API
// lookup (found by its symbol's description), the per-version parseResponse modules, and the codec
// helpers. The real client and broker are covered by test/integration/kafka-fast-produce.test.ts;
// this covers the branch a real broker here never takes (a Produce version outside 9–12).
const getApi = Symbol(GET_API);
type Api = ((...args: unknown[]) => void) & { version?: number; dspfnEncoder?: true };
type Lookup = (name: string, callback: (error: Error | null, api?: Api) => void) => void;

function fakeLibrary(api: Api, withParser: boolean) {
  class Producer {
    [getApi](name: string, callback: (error: Error | null, api?: Api) => void): void {
      if (name === 'Produce') callback(null, api);
      else callback(new Error(`no ${name} here`));
    }
  }
  const parser = withParser ? { parseResponse: () => undefined } : undefined;
  return { Producer, [`produceV${api.version}`]: parser, crc32c: () => 0, compressionsAlgorithms: {}, Writer: { create: () => ({ append: () => undefined }) } };
}

function produceApiOf(api: Api, withParser = true): Api {
  const lib = fakeLibrary(api, withParser);
  const Fast = fastProduceProducer(lib as never) as unknown as new () => Record<symbol, Lookup>;
  expect(Fast).toBeTypeOf('function');
  const producer = new Fast();
  let found: Api | undefined;
  producer[getApi]!('Produce', (error, wrapped) => {
    expect(error).toBeNull();
    found = wrapped;
  });
  return found!;
}

const outgoing = { key: 'device-1', value: '{"rms":[0.5]}', headers: { 'dspfn-source-topic': 'in', 'dspfn-raw': Buffer.from([0, 255]) } };

describe('the fast produce hook', () => {
  it("writes the batches itself for Produce versions 9–12 whose response parser the client has", () => {
    const api: Api = Object.assign(() => undefined, { version: 11 });
    expect(produceApiOf(api).dspfnEncoder).toBe(true);
  });

  it("hands any other version the client's own message shapes (key, value and headers as Buffers)", () => {
    for (const [version, withParser] of [[8, true], [13, true], [11, false]] as const) {
      const seen: unknown[][] = [];
      const api: Api = Object.assign((...args: unknown[]) => void seen.push(args), { version });
      const wrapped = produceApiOf(api, withParser);
      expect(wrapped.dspfnEncoder).toBeUndefined();
      expect(wrapped.version).toBe(version);
      const untouched = { topic: 'plain', partition: 1, value: Buffer.from('as is') };
      const callback = () => undefined;
      wrapped('connection', -1, 30_000, [{ topic: 'out', partition: 2, timestamp: 5n, value: outgoing }, untouched], { compression: 'none' }, callback);
      expect(seen).toHaveLength(1);
      const [connection, acks, timeout, messages, options, passedCallback] = seen[0]!;
      expect([connection, acks, timeout, options, passedCallback]).toEqual(['connection', -1, 30_000, { compression: 'none' }, callback]);
      const [converted, second] = messages as [{ topic: string; partition: number; timestamp: bigint; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> }, unknown];
      expect(second).toBe(untouched);
      expect(converted.topic).toBe('out');
      expect(converted.partition).toBe(2);
      expect(converted.timestamp).toBe(5n);
      expect(converted.key.toString()).toBe('device-1');
      expect(converted.value.toString()).toBe('{"rms":[0.5]}');
      expect([...converted.headers].map(([name, value]) => [name.toString(), value.toString('hex')])).toEqual([
        ['dspfn-source-topic', Buffer.from('in').toString('hex')],
        ['dspfn-raw', '00ff'],
      ]);
    }
  });

  it('fails the send through its callback, not by throwing, when a message cannot be converted', () => {
    const api: Api = Object.assign(() => expect.unreachable('the client must not be called'), { version: 8 });
    const wrapped = produceApiOf(api);
    const errors: unknown[] = [];
    const broken = {
      key: null,
      value: 'v',
      headers: {
        get 'dspfn-source-topic'(): string {
          throw new Error('header unreadable');
        },
      },
    };
    wrapped('connection', -1, 1, [{ topic: 'out', partition: 0, value: broken }], {}, (error: unknown) => void errors.push(error));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual(new Error('header unreadable'));
  });

  it('passes lookups of other APIs, and their errors, through to the client', () => {
    const api: Api = Object.assign(() => undefined, { version: 11 });
    const Fast = fastProduceProducer(fakeLibrary(api, true) as never) as unknown as new () => Record<symbol, Lookup>;
    let failure: Error | null = null;
    new Fast()[getApi]!('Metadata', (error) => (failure = error));
    expect(failure).toEqual(new Error('no Metadata here'));
  });

  it('gives no producer when the client has no API lookup to hook (the sink then uses the plain Producer)', () => {
    class Producer {}
    expect(fastProduceProducer({ Producer } as never)).toBeUndefined();
  });
});

describe('sequence numbers counted in records (PartitionSequences)', () => {
  const message = (partition: number) => ({ topic: 't', partition });

  it("continues each partition's numbers by the records sent, per producer id and epoch", () => {
    const sequences = new PartitionSequences();
    expect(sequences.base(7n, 0, 't', 0, message(0), 1000)).toBe(0);
    expect(sequences.base(7n, 0, 't', 1, message(1), 3)).toBe(0);
    expect(sequences.base(7n, 0, 't', 0, message(0), 1)).toBe(1000);
    expect(sequences.base(7n, 0, 'u', 0, message(0), 5)).toBe(0);
    expect(sequences.base(7n, 0, 't', 0, message(0), 2)).toBe(1001);
    // A new producer id (after the client re-initialised it) or epoch starts every partition at 0.
    expect(sequences.base(8n, 0, 't', 0, message(0), 10)).toBe(0);
    expect(sequences.base(8n, 0, 't', 0, message(0), 1)).toBe(10);
    expect(sequences.base(8n, 1, 't', 0, message(0), 4)).toBe(0);
  });

  it('gives a retried request (the same client message) the numbers its first attempt took', () => {
    const sequences = new PartitionSequences();
    const first = message(0);
    expect(sequences.base(7n, 0, 't', 0, first, 20)).toBe(0);
    expect(sequences.base(7n, 0, 't', 0, first, 20)).toBe(0);
    expect(sequences.base(7n, 0, 't', 0, message(0), 5)).toBe(20);
    // Recovered under a new producer id, the same message is numbered afresh.
    expect(sequences.base(9n, 0, 't', 0, first, 20)).toBe(0);
    expect(sequences.base(9n, 0, 't', 0, message(0), 1)).toBe(20);
  });

  it('wraps from the largest int32 to 0, as the Java client does', () => {
    const sequences = new PartitionSequences();
    const max = 2 ** 31 - 1;
    expect(sequences.base(1n, 0, 't', 0, message(0), max - 2)).toBe(0);
    // Three records numbered max - 2, max - 1 and max: the next starts at 0.
    expect(sequences.base(1n, 0, 't', 0, message(0), 3)).toBe(max - 2);
    expect(sequences.base(1n, 0, 't', 0, message(0), 1)).toBe(0);
    expect(sequences.base(1n, 0, 't', 0, message(0), 1)).toBe(1);
  });
});

describe('the fast produce hook with several records per message', () => {
  it("hands the client's own API one message per record, numbered from the partition's sequence in records", () => {
    const seen: unknown[][] = [];
    const api: Api = Object.assign((...args: unknown[]) => void seen.push(args), { version: 8 });
    const wrapped = produceApiOf(api);
    const records = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}`, headers: {} }));
    const options = { producerId: 4n, producerEpoch: 0, sequences: { getWithDefault: () => expect.unreachable('the client counts messages, not records') } };
    const send = (n: number) => {
      wrapped('connection', -1, 1, [{ topic: 'out', partition: 1, value: new PartitionRecords(records(0, n)) }, { topic: 'out', partition: 0, value: new PartitionRecords(records(100, 2)) }], options, () => undefined);
      const [, , , messages, passed] = seen.at(-1)! as [unknown, unknown, unknown, Array<{ partition: number; value: Buffer }>, { sequences: { getWithDefault(key: string, fallback: number): number } }];
      return { values: messages.map((m) => `${m.partition}:${m.value.toString()}`), base: (p: number) => passed.sequences.getWithDefault(`out:${p}`, -1) };
    };
    const first = send(3);
    expect(first.values).toEqual(['1:v0', '1:v1', '1:v2', '0:v100', '0:v101']);
    expect([first.base(1), first.base(0)]).toEqual([0, 0]);
    const second = send(4);
    expect([second.base(1), second.base(0)]).toEqual([3, 2]);
  });
});

describe('the arena of the fast produce path', () => {
  type Payload = InstanceType<typeof Writer>;
  /** The fast API over a connection that hands back its payload builder and callback instead of sending. */
  async function builders() {
    const real = await import('@platformatic/kafka');
    const api: Api = Object.assign(() => undefined, { version: 11 });
    const lib = { ...fakeLibrary(api, true), Writer: real.Writer, crc32c: real.crc32c, compressionsAlgorithms: real.compressionsAlgorithms };
    const Fast = fastProduceProducer(lib as never) as unknown as new () => Record<symbol, Lookup>;
    let wrapped: Api | undefined;
    new Fast()[getApi]!('Produce', (_, found) => (wrapped = found));
    return (value: string, acks = -1) => {
      let build: (() => Payload) | undefined;
      let answer: ((error: Error | null, response?: unknown) => void) | undefined;
      const connection = {
        send: (_key: number, _version: number, create: () => Payload, _parse: unknown, _tags: boolean, _responseTags: boolean, done: typeof answer) => {
          build = create;
          answer = done;
        },
      };
      const records = [{ key: 'k', value: value.repeat(1000), headers: {} }];
      const answered: unknown[] = [];
      wrapped!(connection, acks, 1, [{ topic: 't', partition: 0, value: new PartitionRecords(records) }], { producerId: 1n, producerEpoch: 0, sequences: { getWithDefault: () => 0 } }, (error: unknown) => void answered.push(error));
      const payload = build!();
      return { payload, body: payload.buffers[0]!, answer: answer!, answered };
    };
  }

  it("reuses a request's memory for the next one once the broker answered it", async () => {
    const request = await builders();
    const first = request('a');
    expect(first.payload.buffers).toHaveLength(1);
    first.answer(null, {});
    expect(first.answered).toEqual([null]);
    const second = request('b');
    expect(second.body.buffer).toBe(first.body.buffer);
    expect(second.body.includes('b'.repeat(1000))).toBe(true);
  });

  it('gives the next request new memory while the last one is unanswered, or after it failed', async () => {
    const request = await builders();
    const first = request('a');
    const second = request('b');
    expect(second.body.buffer).not.toBe(first.body.buffer);
    expect(first.body.includes('a'.repeat(1000))).toBe(true);
    const failure = new Error('connection closed');
    second.answer(failure);
    expect(second.answered).toEqual([failure]);
    // The socket may still be writing a failed request's bytes: its memory is never handed out again.
    const third = request('c');
    expect(third.body.buffer).not.toBe(second.body.buffer);
    expect(third.body.buffer).not.toBe(first.body.buffer);
    expect(second.body.includes('b'.repeat(1000))).toBe(true);
  });

  it("sends a request in place (one view of the arena) only when the broker's answer waits for it (acks != 0)", async () => {
    const { Writer: RealWriter } = await import('@platformatic/kafka');
    const request = await builders();
    const frame = (payload: Payload) => RealWriter.create().appendInt16(0).appendInt32(7).appendString('dspfn', false).appendFrom(payload).prependLength().buffer;
    const acked = request('a');
    const sent = frame(acked.payload);
    expect(sent.buffer).toBe(acked.body.buffer);
    expect(sent.subarray(sent.length - acked.body.length)).toEqual(acked.body);
    const unacked = request('b', 0);
    const copied = frame(unacked.payload);
    expect(copied.buffer).not.toBe(unacked.body.buffer);
    expect(copied.subarray(copied.length - unacked.body.length)).toEqual(unacked.body);
  });
});

describe('BatchArena', () => {
  it('hands out pieces one after the other after its headroom, growing with what was written, from the start again after a reset', () => {
    const kb = 1024;
    const arena = new BatchArena(8 * kb);
    const a = arena.take(6 * kb).fill(1);
    expect(a.byteOffset).toBe(HEADROOM);
    const b = arena.take(6 * kb).fill(2);
    // Grown: the first piece's bytes moved along, the body is one run.
    expect(b.buffer).not.toBe(a.buffer);
    const body = arena.body();
    expect(body.length).toBe(12 * kb);
    expect(body.subarray(0, 6 * kb).every((byte) => byte === 1)).toBe(true);
    expect(body.subarray(6 * kb).every((byte) => byte === 2)).toBe(true);
    arena.reset();
    expect(arena.take(10 * kb).buffer).toBe(b.buffer);
    expect(arena.oversized).toBe(false);
    arena.take(ARENA_LIMIT);
    expect(arena.oversized).toBe(true);
  });
});
