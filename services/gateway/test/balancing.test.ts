import Fastify, { type FastifyInstance } from 'fastify';
import { type Harness, metricValue, type Upstream, startGateway, startUpstream } from './helpers';

/**
 * Issue #17: several instances of a site behind one gateway. Real upstream Fastify servers
 * on fixed ports (so a stopped one can come back on the same address).
 */

/** An instance that can be stopped and started again on its port. */
class Instance {
  app: FastifyInstance | undefined;
  hits = 0;
  port = 0;
  /** When set, answers by cutting the connection after reading the request (died mid-request). */
  dieMidRequest = false;

  constructor(readonly name: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const app = Fastify({ keepAliveTimeout: 1000, forceCloseConnections: true });
    app.get('/health', async () => ({ status: 'ok' }));
    app.all('/api/*', async (request, reply) => {
      this.hits += 1;
      if (this.dieMidRequest) {
        request.raw.socket.destroy();
        return reply;
      }
      return { instance: this.name, method: request.method };
    });
    await app.listen({ port: this.port, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.port = address.port;
    this.app = app;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}

const VOTE = { host: 'vote.localhost' };
const RESULTS = { host: 'localhost' };

describe('balancing across instances of a site', () => {
  let a: Instance;
  let b: Instance;
  let results: Upstream;
  let h: Harness;

  beforeEach(async () => {
    a = new Instance('a');
    b = new Instance('b');
    await a.start();
    await b.start();
    results = await startUpstream('results');
    h = await startGateway({ vote: `${a.url},${b.url}`, results: results.url }, { GATEWAY_UPSTREAM_PROBE_INTERVAL_MS: '200', GATEWAY_UPSTREAM_CONNECT_TIMEOUT_MS: '500' });
  });
  afterEach(async () => {
    await h.close();
    await a.stop();
    await b.stop();
    await results.close();
  });

  const send = (method: 'GET' | 'POST', url = method === 'GET' ? '/api/v1/ballot' : '/api/v1/votes') =>
    h.gateway.inject({ method, url, headers: VOTE, ...(method === 'POST' ? { payload: { choices: [] } } : {}) });

  it('spreads requests round-robin over the instances', async () => {
    for (let i = 0; i < 20; i++) expect((await send(i % 2 ? 'GET' : 'POST')).statusCode).toBe(200);
    expect(a.hits).toBe(10);
    expect(b.hits).toBe(10);
  });

  it('takes a stopped instance out: no 5xx, every request answered by the other; back in when it returns', async () => {
    await b.stop();
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await send(i % 2 ? 'GET' : 'POST')).statusCode);
    // The first request that met the stopped instance was refused before a byte was sent: sent to a, even a POST.
    expect(statuses).toEqual(Array(20).fill(200));
    expect(a.hits).toBe(20);
    const ready = await h.gateway.inject({ method: 'GET', url: '/_gateway/ready', headers: VOTE });
    expect(ready.json().upstreams.vote).toEqual([
      expect.objectContaining({ url: a.url, healthy: true }),
      expect.objectContaining({ url: b.url, healthy: false, reason: expect.any(String) }),
    ]);
    const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: VOTE });
    expect(metricValue(metrics.body, 'gateway_upstream_instance_up', { site: 'vote', instance: b.url })).toBe(0);
    // One refused request sent on, unless the probe saw b stopped first (a slow machine).
    expect(metricValue(metrics.body, 'gateway_upstream_retries_total', { site: 'vote', reason: 'not_connected' })).toBeLessThanOrEqual(1);

    await b.start();
    // The probe (every 200 ms) puts it back.
    await waitFor(async () => (await h.gateway.inject({ method: 'GET', url: '/_gateway/ready', headers: VOTE })).json().upstreams.vote[1].healthy === true);
    for (let i = 0; i < 10; i++) expect((await send('POST')).statusCode).toBe(200);
    expect(b.hits).toBe(5);
  });

  it('sends a POST refused by a stopped instance to the other (nothing was sent), and takes the stopped one out', async () => {
    await h.close();
    // No probe during the test: the refusal alone takes it out.
    h = await startGateway({ vote: `${a.url},${b.url}`, results: results.url }, { GATEWAY_UPSTREAM_PROBE_INTERVAL_MS: '600000' });
    await b.stop();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await send('POST'));
    expect(answers.map((r) => [r.statusCode, r.json().instance])).toEqual(Array(4).fill([200, 'a']));
    expect(a.hits).toBe(4);
    const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: VOTE });
    expect(metricValue(metrics.body, 'gateway_upstream_retries_total', { site: 'vote', reason: 'not_connected' })).toBe(1);
    expect(metricValue(metrics.body, 'gateway_upstream_instance_requests_total', { site: 'vote', instance: b.url, outcome: 'failed' })).toBe(1);
  });

  it('takes out an instance whose /health fails, by the probe, before any request meets it', async () => {
    await b.stop();
    await waitFor(async () => (await h.gateway.inject({ method: 'GET', url: '/_gateway/ready', headers: VOTE })).json().upstreams.vote[1].healthy === false);
    for (let i = 0; i < 6; i++) expect((await send('POST')).statusCode).toBe(200);
    const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: VOTE });
    expect(metricValue(metrics.body, 'gateway_upstream_retries_total', { site: 'vote' })).toBe(0);
  });

  it('retries a GET on the other instance when one dies mid-request', async () => {
    b.dieMidRequest = true;
    for (let i = 0; i < 6; i++) {
      const res = await send('GET');
      expect(res.statusCode).toBe(200);
      expect(res.json().instance).toBe('a');
    }
    expect(b.hits).toBe(3);
    const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: VOTE });
    expect(metricValue(metrics.body, 'gateway_upstream_retries_total', { site: 'vote', reason: 'idempotent' })).toBe(3);
  });

  it('never retries a POST once its bytes were sent: 503 with Retry-After, the other instance untouched', async () => {
    b.dieMidRequest = true;
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send('POST'));
    const failed = answers.filter((r) => r.statusCode !== 200);
    expect(failed).toHaveLength(3);
    for (const res of failed) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().error.code).toBe('GATEWAY_ERR_UPSTREAM_UNAVAILABLE');
    }
    // Each POST reached exactly one instance.
    expect(a.hits + b.hits).toBe(6);
    expect(a.hits).toBe(3);
  });

  it('tries the instances even when every one is out, and answers 503 with Retry-After when none answers', async () => {
    await a.stop();
    await b.stop();
    const res = await send('POST');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    await a.start();
    // Out by the refusal, but tried anyway since every instance is out: answered.
    expect((await send('POST')).statusCode).toBe(200);
  });

  it('fills the results cache through the healthy instance of several', async () => {
    await h.close();
    const r2 = new Instance('r2');
    await r2.start();
    await r2.stop();
    h = await startGateway({ vote: a.url, results: `${r2.url},${results.url}` });
    const res = await h.gateway.inject({ method: 'GET', url: '/api/v1/results', headers: RESULTS });
    expect(res.statusCode).toBe(200);
    expect(res.json().upstream).toBe('results');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
