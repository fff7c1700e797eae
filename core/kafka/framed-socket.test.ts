import net from 'node:net';
import { once } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { framedSocket, ResponseFramer, WHOLE_RESPONSES } from './framed-socket.ts';

/** Size-prefixed frames as a broker writes responses. */
function framesOf(bodies: readonly Uint8Array[]): Buffer[] {
  return bodies.map((body) => {
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    frame.set(body, 4);
    return frame;
  });
}

/** Frame by frame, byte for byte (Buffer.equals: a generic deep equality walks megabytes slowly). */
function expectFrames(emitted: readonly Buffer[], frames: readonly Buffer[]): void {
  expect(emitted.map((f) => f.length)).toEqual(frames.map((f) => f.length));
  expect(emitted.every((f, i) => f.equals(frames[i]!))).toBe(true);
}

/** Bodies of assorted sizes: empty, small, and larger than a read (read straight into their own memory). */
const bodies = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.integer({ min: 16 * 1024, max: 300 * 1024 }).map((n) => {
      const body = Buffer.alloc(n, n & 0xff);
      body.writeInt32BE(n, n - 4);
      return body;
    }),
  ),
  { maxLength: 8 },
);

describe('response framer', () => {
  it('emits exactly the frames of a stream, whatever the reads return', () => {
    fc.assert(
      fc.property(bodies, fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 20 }), (generated, sizes) => {
        const frames = framesOf(generated);
        const stream = Buffer.concat(frames);
        const emitted: Buffer[] = [];
        const framer = new ResponseFramer((frame) => emitted.push(frame));
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          // As Node does with onread: the read lands in the buffer next() gave, at most its length.
          const into = framer.next();
          const count = Math.min(sizes[i % sizes.length]!, into.length, stream.length - at);
          stream.copy(into, 0, at, at + count);
          framer.read(count, into);
          at += count;
        }
        expectFrames(emitted, frames);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a negative size', () => {
    const framer = new ResponseFramer(() => {});
    const into = framer.next();
    into.writeInt32BE(-5, 0);
    expect(() => framer.read(4, into)).toThrow(/malformed Kafka response: size -5/);
  });

  it('over a real socket: whole responses per data event, then end', async () => {
    const frames = framesOf([Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(1_500_000, 7), Buffer.from('tail')]);
    const server = net.createServer((socket) => {
      // Written in uneven pieces across frame boundaries.
      const all = Buffer.concat(frames);
      let at = 0;
      for (const size of [3, 1, 70_000, 5]) {
        socket.write(all.subarray(at, at + size));
        at += size;
      }
      socket.end(all.subarray(at));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      const received: Buffer[] = [];
      let onConnect = () => {};
      const connected = new Promise<void>((resolve) => (onConnect = resolve));
      const socket = framedSocket({ host: '127.0.0.1', port, onConnect: () => onConnect() });
      expect((socket as net.Socket & { [WHOLE_RESPONSES]?: true })[WHOLE_RESPONSES]).toBe(true);
      socket.on('data', (frame: Buffer) => received.push(Buffer.from(frame)));
      await connected;
      await once(socket, 'end');
      expectFrames(received, frames);
      socket.destroy();
    } finally {
      server.close();
    }
  });
});
