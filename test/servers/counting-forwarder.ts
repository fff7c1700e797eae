import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface CountingForwarder {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

/**
 * A plain HTTP forwarder in front of an HTTP endpoint (the Upstash stand-in) that counts requests:
 * round trips are counted on the wire, not assumed.
 */
export async function countingForwarder(target: string): Promise<CountingForwarder> {
  let requests = 0;
  const base = new URL(target);
  const transport = base.protocol === 'https:' ? https : http;
  const server = http.createServer((req, res) => {
    requests++;
    const upstream = transport.request(
      new URL(req.url ?? '/', base),
      { method: req.method, headers: { ...req.headers, host: base.host } },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
