import net from 'node:net';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespConnection } from './resp-connection.ts';
import { ReplyReader, ReplyScanner, RespError, RespProtocolError, RespWriter, type BulkStrings } from './resp.ts';

// node-redis's own encoder and decoder, the reference the store's RESP code must agree with.
const require = createRequire(import.meta.url);
const encodeCommand = (require('@redis/client/dist/lib/RESP/encoder.js') as { default: (args: ReadonlyArray<string | Buffer>) => Array<string | Buffer> }).default;
const { Decoder, RESP_TYPES } = require('@redis/client/dist/lib/RESP/decoder.js') as typeof import('@redis/client/dist/lib/RESP/decoder.js');

const bytesOf = (parts: ReadonlyArray<string | Buffer>): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

/** A RESP2 reply, as a test builds it. */
type Reply = { status: string } | { error: string } | { integer: number } | { bulk: Buffer | null } | { array: Reply[] | null };

const line = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', 'é', '€', ':', '-', '$', '*') });
const binary = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 2000, maxLength: 5000 }), fc.constant(Uint8Array.from([13, 10, 36, 45, 13])));
const reply: fc.Arbitrary<Reply> = fc.letrec<{ reply: Reply }>((tie) => ({
  reply: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    line.map((status) => ({ status })),
    line.map((text) => ({ error: `ERR ${text}` })),
    fc.integer().map((integer) => ({ integer })),
    fc.option(binary).map((b) => ({ bulk: b === null ? null : Buffer.from(b) })),
    fc.option(fc.array(tie('reply'), { maxLength: 5 })).map((array) => ({ array })),
  ),
})).reply;

function encodeReply(r: Reply): Buffer {
  if ('status' in r) return Buffer.from(`+${r.status}\r\n`);
  if ('error' in r) return Buffer.from(`-${r.error}\r\n`);
  if ('integer' in r) return Buffer.from(`:${r.integer}\r\n`);
  if ('bulk' in r) return r.bulk === null ? Buffer.from('$-1\r\n') : Buffer.concat([Buffer.from(`$${r.bulk.length}\r\n`), r.bulk, Buffer.from('\r\n')]);
  return r.array === null ? Buffer.from('*-1\r\n') : Buffer.concat([Buffer.from(`*${r.array.length}\r\n`), ...r.array.map(encodeReply)]);
}

/** A reply value (ours or node-redis's) in one comparable form: errors by message, bytes as hex. */
function normal(value: unknown): unknown {
  if (value instanceof Error) return { error: value.message };
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (Array.isArray(value)) return value.map(normal);
  return value;
}

/** What node-redis's decoder makes of `bytes`, fed in `cuts` pieces, for `count` replies. */
function nodeRedisReplies(bytes: Buffer, binaryReplies: boolean): unknown[] {
  const out: unknown[] = [];
  const decoder = new Decoder({
    onReply: (value: unknown) => void out.push(value),
    onErrorReply: (error: Error) => void out.push(error),
    onPush: () => undefined,
    getTypeMapping: () => (binaryReplies ? { [RESP_TYPES.BLOB_STRING]: Buffer } : {}),
  });
  decoder.write(bytes);
  return out;
}

/** Splits `bytes` at the given fractions. */
function pieces(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(bytes.subarray(from, to));
    from = to;
  }
  return out;
}

describe('RESP encoding (RespWriter)', () => {
  const arg = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom('', 'EVALSHA', 'dspfn:fn:dev-1', 'tôpic:€', '\r\n'),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.uint8Array({ minLength: 16 * 1024 + 1, maxLength: 40_000 }).map((b) => Buffer.from(b)),
  );

  it('writes the bytes node-redis writes for any command: text in UTF-8, binary, empty and large arguments', () => {
    fc.assert(
      fc.property(fc.array(fc.array(arg, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }), (commands) => {
        const writer = new RespWriter(16);
        // Reused as the store reuses it: what one command left must not leak into the next.
        writer.command(['PING']);
        writer.reset();
        for (const command of commands) writer.command(command);
        expect(Buffer.concat(writer.chunks()).equals(Buffer.concat(commands.map((c) => bytesOf(encodeCommand(c)))))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('hands large Buffer arguments over as they are, not copied, and repeats a run of arguments', () => {
    const payload = Buffer.alloc(100_000, 7);
    const writer = new RespWriter();
    writer.arrayHeader(3);
    writer.text('MGET');
    const from = writer.length;
    writer.text('k1');
    writer.text('k2');
    writer.arrayHeader(3);
    writer.text('EXISTS');
    writer.repeat(from, writer.length - '*3\r\n$6\r\nEXISTS\r\n'.length);
    writer.command(['SET', 'k', payload]);
    const chunks = writer.chunks();
    expect(chunks).toContain(payload);
    expect(Buffer.concat(chunks).equals(bytesOf([...encodeCommand(['MGET', 'k1', 'k2']), ...encodeCommand(['EXISTS', 'k1', 'k2']), ...encodeCommand(['SET', 'k', payload])]))).toBe(true);
  });
});

describe('RESP replies (ReplyScanner, ReplyReader)', () => {
  it('read as node-redis reads them, however the bytes are split into chunks', () => {
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 6 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), fc.boolean(), (replies, cuts, binaryReplies) => {
        const bytes = Buffer.concat(replies.map(encodeReply));
        // Fed piece by piece, as the socket delivers: complete only once the last byte is in.
        const scanner = new ReplyScanner();
        scanner.begin(0, replies.length);
        let received = 0;
        for (const piece of pieces(bytes, cuts)) {
          received += piece.length;
          const done = scanner.scan(bytes, received);
          expect(done).toBe(received === bytes.length);
        }
        expect(scanner.at).toBe(bytes.length);
        const reader = new ReplyReader(bytes, 0, bytes.length);
        const ours = replies.map(() => reader.value(binaryReplies));
        expect(reader.at).toBe(bytes.length);
        expect(ours.map(normal)).toEqual(nodeRedisReplies(bytes, binaryReplies).map(normal));
        for (const value of ours.flat(Infinity)) if (value instanceof Error) expect(value).toBeInstanceOf(RespError);
      }),
      { numRuns: 300 },
    );
  });

  it('read an MGET reply as offsets into the bytes (nil, empty, binary values), in place', () => {
    const values = [Buffer.from('dspfn:2\nt\t0\t1\n\nAAAA'), null, Buffer.alloc(0), Buffer.from([0, 13, 10, 255])];
    const bytes = Buffer.concat([Buffer.from('garbage'), encodeReply({ array: values.map((bulk) => ({ bulk })) }), encodeReply({ integer: 3 })]);
    const reader = new ReplyReader(bytes, 'garbage'.length, bytes.length);
    const read = reader.bulkStrings() as BulkStrings;
    const got = [...read.start].map((start, i) => (start < 0 ? null : read.bytes.subarray(start, read.end[i])));
    expect(got.map(normal)).toEqual(values.map(normal));
    expect(reader.value()).toBe(3);
    expect(read.bytes === bytes).toBe(true);
    expect(new ReplyReader(Buffer.from('-WRONGTYPE no\r\n'), 0, 15).bulkStrings()).toEqual(new RespError('WRONGTYPE no'));
  });

  it('refuse bytes that are not RESP2 replies', () => {
    const scanner = new ReplyScanner();
    for (const bad of ['!3\r\nabc\r\n', '$x\r\n', '+OK\rX\n', '*1\r\n%1\r\n']) {
      scanner.begin(0, 1);
      expect(() => scanner.scan(Buffer.from(bad), bad.length), bad).toThrow(RespProtocolError);
    }
    // The scanner skips integer lines; the reader checks them.
    expect(() => new ReplyReader(Buffer.from(':1.5\r\n'), 0, 6).value()).toThrow(RespProtocolError);
  });
});

describe('RespConnection', () => {
  /** A server that answers the handshake, then writes `script` in small pieces once it has read `expect` bytes. */
  let server: net.Server;
  let port = 0;
  let replies: Buffer = Buffer.alloc(0);
  let expectBytes = 0;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let got = Buffer.alloc(0);
      let handshaken = false;
      socket.on('data', (data) => {
        got = Buffer.concat([got, data]);
        if (!handshaken) {
          const handshake = bytesOf(encodeCommand(['CLIENT', 'SETNAME', 'test']));
          if (got.length < handshake.length) return;
          handshaken = true;
          got = got.subarray(handshake.length);
          socket.write('+OK\r\n');
        }
        if (got.length < expectBytes) return;
        // Replies dribble out a few bytes at a time, with the event loop turning in between.
        let at = 0;
        const step = (): void => {
          if (at >= replies.length) return;
          const size = 1 + ((at * 7919) % 13);
          socket.write(replies.subarray(at, at + size));
          at += size;
          setImmediate(step);
        };
        step();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads pipelined replies, split across chunks, each by its own request, and rejects an error reply', async () => {
    const answers: Reply[] = [{ status: 'OK' }, { array: [{ bulk: Buffer.from('x'.repeat(300)) }, { bulk: null }] }, { error: 'NOSCRIPT No matching script' }, { integer: 42 }];
    replies = Buffer.concat(answers.map(encodeReply));
    const commands = [['PING'], ['MGET', 'a', 'b'], ['EVALSHA', 'f'.repeat(40), '0'], ['EXISTS', 'a']];
    expectBytes = bytesOf(commands.flatMap((c) => encodeCommand(c))).length;
    const connection = await RespConnection.open({ host: '127.0.0.1', port, tls: undefined, username: undefined, password: undefined, db: 0, name: 'test', connectTimeoutMs: 2_000 });
    try {
      const results = await Promise.allSettled(
        commands.map((command) => {
          const writer = new RespWriter();
          writer.command(command);
          return connection.request(writer.chunks(), 1, (reader) => reader.value());
        }),
      );
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : normal(r.reason)))).toEqual(['OK', ['x'.repeat(300), null], { error: 'NOSCRIPT No matching script' }, 42]);
      expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(RespError);
      expect(connection.alive).toBe(true);
    } finally {
      connection.destroy();
    }
    expect(connection.alive).toBe(false);
  });

  it('gives up on a server that accepts the connection and never answers the handshake', async () => {
    const accepted: net.Socket[] = [];
    const silent = net.createServer((socket) => void accepted.push(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port: quiet } = silent.address() as net.AddressInfo;
      const endpoint = { host: '127.0.0.1', port: quiet, tls: undefined, username: 'u', password: 'p', db: 2, name: 'test', connectTimeoutMs: 200 };
      await expect(RespConnection.open(endpoint)).rejects.toThrow(/connection timeout \(200 ms\)/);
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
