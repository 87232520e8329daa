import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';

describe('routing by Host', () => {
  let vote: Upstream;
  let results: Upstream;
  let h: Harness;

  beforeAll(async () => {
    vote = await startUpstream('vote');
    results = await startUpstream('results');
    h = await startGateway({ vote: vote.url, results: results.url });
  });
  afterAll(async () => {
    await h.close();
    await vote.close();
    await results.close();
  });
  beforeEach(() => {
    vote.seen.length = 0;
    results.seen.length = 0;
  });

  it('sends the vote host to the vote service only, path and query intact', async () => {
    const res = await h.gateway.inject({ method: 'GET', url: '/api/v1/receipts/abc?x=1', headers: { host: 'vote.localhost' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ upstream: 'vote', url: '/api/v1/receipts/abc?x=1' });
    expect(results.seen).toHaveLength(0);
  });

  it('sends the results host to the results service only', async () => {
    const res = await h.gateway.inject({ method: 'GET', url: '/api/v1/results', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ upstream: 'results', url: '/api/v1/results' });
    expect(vote.seen).toHaveLength(0);
  });

  it('matches the host case-insensitively and without its port', async () => {
    for (const host of ['VOTE.localhost:8080', 'Vote.LocalHost', 'vote.localhost.']) {
      const res = await h.gateway.inject({ method: 'GET', url: '/x', headers: { host } });
      expect(res.json()).toMatchObject({ upstream: 'vote' });
    }
    const res = await h.gateway.inject({ method: 'GET', url: '/x', headers: { host: 'LOCALHOST:8080' } });
    expect(res.json()).toMatchObject({ upstream: 'results' });
  });

  it('answers any other host 404 GATEWAY_ERR_UNKNOWN_HOST without touching an upstream', async () => {
    for (const host of ['evil.example', 'vote.localhost.evil.example', '127.0.0.1:8080']) {
      const res = await h.gateway.inject({ method: 'POST', url: '/api/v1/votes', headers: { host }, payload: { a: 1 } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'GATEWAY_ERR_UNKNOWN_HOST', message: expect.any(String) } });
    }
    expect(vote.seen).toHaveLength(0);
    expect(results.seen).toHaveLength(0);
  });

  it("proxies /health of a known host to that site's service", async () => {
    const res = await h.gateway.inject({ method: 'GET', url: '/health', headers: { host: 'vote.localhost' } });
    expect(res.json()).toMatchObject({ upstream: 'vote', url: '/health' });
  });

  it("serves the gateway's own endpoints under /_gateway/ on any host", async () => {
    for (const host of ['vote.localhost', 'localhost', 'gateway.internal']) {
      const health = await h.gateway.inject({ method: 'GET', url: '/_gateway/health', headers: { host } });
      expect(health.json()).toEqual({ status: 'ok', service: 'gateway' });
    }
    const ready = await h.gateway.inject({ method: 'GET', url: '/_gateway/ready', headers: { host: 'localhost' } });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
    const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: { host: 'localhost' } });
    expect(metrics.body).toContain('gateway_results_cache_requests_total');
    const docs = await h.gateway.inject({ method: 'GET', url: '/_gateway/docs/json', headers: { host: 'localhost' } });
    expect(docs.json()).toMatchObject({ info: { title: 'primaries gateway' } });
    expect(vote.seen).toHaveLength(0);
    expect(results.seen).toHaveLength(0);
  });

  it('does not let /_gateway/ reach the internal site prefixes', async () => {
    const res = await h.gateway.inject({ method: 'GET', url: '/_gateway/__vote/api/v1/ballot', headers: { host: 'evil.example' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('GATEWAY_ERR_NOT_FOUND');
    expect(vote.seen).toHaveLength(0);
  });

  it('forwards long paths (no router parameter length limit on the catch-all)', async () => {
    const long = `/api/v1/receipts/${'r'.repeat(400)}`;
    const res = await h.gateway.inject({ method: 'GET', url: long, headers: { host: 'vote.localhost' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().url).toBe(long);
  });

  it('streams a POST body through unchanged', async () => {
    const payload = JSON.stringify({ selections: [{ contestId: 'c1', candidateIds: ['a', 'b'] }] });
    const res = await h.gateway.inject({ method: 'POST', url: '/api/v1/votes', headers: { host: 'vote.localhost', 'content-type': 'application/json', authorization: 'Bearer t' }, payload });
    expect(res.statusCode).toBe(200);
    const echoed = res.json();
    expect(echoed.body).toBe(payload);
    expect(echoed.headers['content-type']).toBe('application/json');
    expect(echoed.headers.authorization).toBe('Bearer t');
  });

  it('passes upstream statuses and headers through', async () => {
    const odd = await startUpstream('odd', (_req, reply) => reply.code(409).header('x-thing', 'y').send({ error: { code: 'VOTE_ERR_ALREADY_VOTED', message: 'm' } }));
    const g = await startGateway({ vote: odd.url, results: results.url });
    try {
      const res = await g.gateway.inject({ method: 'POST', url: '/api/v1/votes', headers: { host: 'vote.localhost' }, payload: {} });
      expect(res.statusCode).toBe(409);
      expect(res.headers['x-thing']).toBe('y');
      expect(res.json().error.code).toBe('VOTE_ERR_ALREADY_VOTED');
    } finally {
      await g.close();
      await odd.close();
    }
  });
});
