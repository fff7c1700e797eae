// A load is one round trip over TCP: MGET and EXISTS leave together. Shown against a RESP server
// that answers neither until it holds both, so a client that waited for the first reply between
// them would never finish.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../../core/state/redis.ts';

/** Complete RESP arrays of bulk strings at the front of `buffer`, and the bytes they used. */
function parseCommands(buffer: Buffer): { commands: string[][]; used: number } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const start = at;
    if (buffer[at] !== 0x2a) return { commands, used: start };
    let end = buffer.indexOf('\r\n', at);
    if (end < 0) return { commands, used: start };
    const count = Number(buffer.toString('latin1', at + 1, end));
    at = end + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      end = buffer.indexOf('\r\n', at);
      if (end < 0) return { commands, used: start };
      const length = Number(buffer.toString('latin1', at + 1, end));
      if (buffer.length < end + 2 + length + 2) return { commands, used: start };
      args.push(buffer.toString('utf8', end + 2, end + 2 + length));
      at = end + 2 + length + 2;
    }
    commands.push(args);
  }
}

describe('RedisStateStore load', () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    let pending = Buffer.alloc(0);
    let held: string[][] = [];
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      const { commands, used } = parseCommands(pending);
      pending = pending.subarray(used);
      for (const command of commands) {
        const name = command[0]!.toUpperCase();
        if (name !== 'MGET' && name !== 'EXISTS') {
          socket.write('+OK\r\n');
          continue;
        }
        held.push(command);
        if (held.length < 2) continue;
        expect(held.map((c) => c[0]!.toUpperCase())).toEqual(['MGET', 'EXISTS']);
        socket.write(`*${held[0]!.length - 1}\r\n${'$-1\r\n'.repeat(held[0]!.length - 1)}:0\r\n`);
        held = [];
      }
    });
    socket.on('error', () => undefined);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends MGET and EXISTS without waiting for a reply in between', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const store = new RedisStateStore({ url: `redis://127.0.0.1:${port}`, timeoutMs: 5_000 });
    try {
      const keys = Array.from({ length: 5_000 }, (_, i) => `device-${i}`);
      expect((await store.load(keys)).size).toBe(0);
      expect((await store.load(['one'])).size).toBe(0);
    } finally {
      await store.close();
    }
  });
});
