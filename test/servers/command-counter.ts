// Round trips counted on the wire: the commands one named Redis connection sent, from MONITOR.
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { expect } from 'vitest';

type RawClient = ReturnType<typeof createClient>;

/** Counts commands a store sends: MONITOR lines from its named connection, between two markers. */
export class CommandCounter {
  private readonly lines: string[] = [];
  private monitor!: RawClient;
  private marker!: RawClient;

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    this.monitor = createClient({ url: this.url, RESP: 2 });
    this.marker = createClient({ url: this.url, RESP: 2 });
    await Promise.all([this.monitor.connect(), this.marker.connect()]);
    await this.monitor.monitor((line) => this.lines.push(String(line)));
  }

  async stop(): Promise<void> {
    this.monitor.destroy();
    this.marker.destroy();
  }

  /** Commands sent by the connection named `clientName` (scripts' own calls excluded) while `run` ran. */
  async count(clientName: string, run: () => Promise<unknown>): Promise<number> {
    const list = String(await this.marker.sendCommand(['CLIENT', 'LIST']));
    const clients = list
      .split('\n')
      .map((line) => new Map(line.trim().split(' ').map((field) => field.split('=', 2) as [string, string])));
    const addrs = clients.filter((c) => c.get('name') === clientName).map((c) => c.get('addr'));
    expect(addrs, `one connection named ${clientName}`).toHaveLength(1);
    const from = `[${0} ${addrs[0]}]`;
    const begin = await this.mark();
    await run();
    const end = await this.mark();
    const sent = this.lines.slice(begin, end).filter((line) => line.includes(from));
    // A load writes MGET and EXISTS together (state-pipeline.test.ts shows it waits for neither
    // reply before sending the other): one round trip, two MONITOR lines.
    return sent.filter((line, i) => !(/^\S+ \[\d+ \S+\] "EXISTS"/i.test(line) && /^\S+ \[\d+ \S+\] "MGET"/i.test(sent[i - 1] ?? ''))).length;
  }

  /** Index of a marker line once MONITOR delivered it: every earlier command is before it. */
  private async mark(): Promise<number> {
    const id = randomUUID();
    await this.marker.sendCommand(['ECHO', id]);
    for (let i = 0; i < 200; i++) {
      const at = this.lines.findIndex((line) => line.includes(id));
      if (at >= 0) return at;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('MONITOR did not deliver the marker');
  }
}
