import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain HTTP/1.1 request over a real socket (fetch would not let us set Host). */
function get(port: number, path: string, headers: Record<string, string>, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway over real sockets', () => {
  let vote: Upstream;
  let results: Upstream;
  let h: Harness;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });

  beforeAll(async () => {
    vote = await startUpstream('vote');
    results = await startUpstream('results', async (_req, reply) => {
      await new Promise((r) => setTimeout(r, 100));
      return reply.header('cache-control', 'public, max-age=30').header('etag', '"v1"').send({ turnout: 42 });
    });
    h = await startGateway({ vote: vote.url, results: results.url });
    await h.gateway.listen({ port: 0, host: '127.0.0.1' });
    port = (h.gateway.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    await h.close();
    await vote.close();
    await results.close();
  });

  it('serves 200 concurrent viewers over 50 keep-alive connections with one upstream request', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => get(port, '/api/v1/results', { host: 'localhost' }, agent)));
    expect(answers.every((a) => a.status === 200 && a.body === '{"turnout":42}')).toBe(true);
    expect(results.seen).toHaveLength(1);
    const notModified = await get(port, '/api/v1/results', { host: 'localhost', 'if-none-match': '"v1"' }, agent);
    expect(notModified.status).toBe(304);
  });

  it('passes a distinct X-Forwarded-For per simulated voter from loopback (load tests rely on it)', async () => {
    const ips = ['198.51.100.11', '198.51.100.12', '2001:db8::7'];
    for (const ip of ips) {
      const a = await get(port, '/api/v1/ballot', { host: 'vote.localhost', 'x-forwarded-for': ip }, agent);
      expect(JSON.parse(a.body).headers['x-forwarded-for']).toBe(ip);
    }
  });
});
