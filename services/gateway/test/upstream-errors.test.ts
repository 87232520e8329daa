import { deadPort, type Harness, metricValue, type Upstream, startGateway, startUpstream } from './helpers';

describe('upstream failures', () => {
  let slow: Upstream;
  let broken: Upstream;
  let h: Harness;
  let down: string;

  beforeAll(async () => {
    down = `http://127.0.0.1:${await deadPort()}`;
    slow = await startUpstream('slow', async (_req, reply) => {
      await new Promise((r) => setTimeout(r, 1500));
      return reply.send({ late: true });
    });
    // Answers by cutting the connection.
    broken = await startUpstream('broken', (request) => {
      request.raw.socket.destroy();
    });
  });
  afterAll(async () => {
    await slow.close();
    await broken.close();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('answers 503 GATEWAY_ERR_UPSTREAM_UNAVAILABLE with Retry-After when the upstream is down', async () => {
    h = await startGateway({ vote: down, results: down });
    for (const host of ['vote.localhost', 'localhost']) {
      const res = await h.gateway.inject({ method: 'GET', url: '/api/v1/ballot', headers: { host } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({ error: { code: 'GATEWAY_ERR_UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/(vote|results) service is unavailable/) } });
    }
    const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: { host: 'x' } });
    expect(metricValue(metrics.body, 'gateway_upstream_errors_total', { code: 'GATEWAY_ERR_UPSTREAM_UNAVAILABLE' })).toBe(2);
  });

  it('does not leave coalesced waiters hanging when the leader fails', async () => {
    h = await startGateway({ vote: down, results: down });
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.gateway.inject({ method: 'GET', url: '/api/v1/results', headers: { host: 'localhost' } })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(503));
  });

  it('answers 504 GATEWAY_ERR_UPSTREAM_TIMEOUT when the upstream is too slow', async () => {
    h = await startGateway({ vote: slow.url, results: slow.url }, { GATEWAY_UPSTREAM_TIMEOUT_MS: '300' });
    const started = Date.now();
    const res = await h.gateway.inject({ method: 'POST', url: '/api/v1/votes', headers: { host: 'vote.localhost' }, payload: {} });
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe('GATEWAY_ERR_UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1400);
  });

  // Issue #8 fault suite: a vote service killed mid-request (kill -9, OOM) drops its
  // connections; the voter must be told to come back (its retry is safe: a recorded vote
  // answers 409), not given a 502 that no client retries.
  it('answers 503 GATEWAY_ERR_UPSTREAM_UNAVAILABLE with Retry-After when the upstream drops the connection', async () => {
    h = await startGateway({ vote: broken.url, results: broken.url });
    for (const [method, url] of [['GET', '/api/v1/ballot'], ['POST', '/api/v1/votes']] as const) {
      const res = await h.gateway.inject({ method, url, headers: { host: 'vote.localhost' }, ...(method === 'POST' ? { payload: { selections: [] } } : {}) });
      expect({ url, status: res.statusCode, retryAfter: res.headers['retry-after'], code: res.json().error.code }).toEqual({ url, status: 503, retryAfter: '5', code: 'GATEWAY_ERR_UPSTREAM_UNAVAILABLE' });
    }
  });

  it('answers 400 GATEWAY_ERR_BAD_PATH for paths it must not forward', async () => {
    h = await startGateway({ vote: slow.url, results: slow.url });
    slow.seen.length = 0;
    for (const url of ['/a/%E0%A4%A', '/a/..%2fadmin']) {
      const res = await h.gateway.inject({ method: 'GET', url, headers: { host: 'vote.localhost' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('GATEWAY_ERR_BAD_PATH');
    }
    expect(slow.seen).toHaveLength(0);
  });
});
