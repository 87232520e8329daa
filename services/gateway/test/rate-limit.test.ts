import { deadPort, type Harness, metricValue, type Upstream, startGateway, startUpstream } from './helpers';

describe('rate limits', () => {
  let vote: Upstream;
  let results: Upstream;

  beforeAll(async () => {
    vote = await startUpstream('vote');
    results = await startUpstream('results', (_req, reply) => reply.header('cache-control', 'public, max-age=60').header('etag', '"r1"').send({ ok: true }));
  });
  afterAll(async () => {
    await vote.close();
    await results.close();
  });

  describe('vote site (Redis-backed)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startGateway({ vote: vote.url, results: results.url }, { RATE_LIMIT_VOTE_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '30', RATE_LIMIT_ALLOWLIST: '192.0.2.0/24' });
    });
    afterAll(() => h.close());

    const hit = (ip: string) => h.gateway.inject({ method: 'GET', url: '/api/v1/ballot', headers: { host: 'vote.localhost', 'x-forwarded-for': ip } });

    it('answers 429 GATEWAY_ERR_RATE_LIMITED with Retry-After past the limit, per client address', async () => {
      vote.seen.length = 0;
      for (let i = 0; i < 3; i++) expect((await hit('198.51.100.1')).statusCode).toBe(200);
      const limited = await hit('198.51.100.1');
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toEqual({ error: { code: 'GATEWAY_ERR_RATE_LIMITED', message: expect.stringMatching(/retry in \d+ s/) } });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(30);
      // The refused request never reached the vote service.
      expect(vote.seen).toHaveLength(3);
      // Another address has its own count.
      expect((await hit('198.51.100.2')).statusCode).toBe(200);
    });

    it('keeps the counters in Redis under REDIS_PREFIX', async () => {
      await hit('198.51.100.3');
      const keys = await h.redis.redis.keys(`${h.redis.prefix}:gateway:ratelimit:vote:*`);
      expect(keys).toContain(`${h.redis.prefix}:gateway:ratelimit:vote:198.51.100.3`);
    });

    it('never limits allowlisted addresses', async () => {
      for (let i = 0; i < 6; i++) expect((await hit('192.0.2.44')).statusCode).toBe(200);
    });

    it('counts 429s in /metrics', async () => {
      const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: { host: 'localhost' } });
      expect(metricValue(metrics.body, 'gateway_rate_limited_total', { site: 'vote' })).toBeGreaterThanOrEqual(1);
    });
  });

  describe('results site (in memory, cache misses only)', () => {
    it('limits requests that reach the upstream, not cache hits', async () => {
      const h = await startGateway({ vote: vote.url, results: results.url }, { RATE_LIMIT_RESULTS_MAX: '2' });
      try {
        const get = (url: string) => h.gateway.inject({ method: 'GET', url, headers: { host: 'localhost', 'x-forwarded-for': '198.51.100.20' } });
        // One miss, then hits: never limited.
        for (let i = 0; i < 10; i++) expect((await get('/api/v1/results')).statusCode).toBe(200);
        // Cache-busting query strings are misses: the third is refused.
        expect((await get('/api/v1/results?bust=1')).statusCode).toBe(200);
        const limited = await get('/api/v1/results?bust=2');
        expect(limited.statusCode).toBe(429);
        expect(limited.json().error.code).toBe('GATEWAY_ERR_RATE_LIMITED');
        expect(limited.headers['retry-after']).toBeDefined();
        // Nothing was written to Redis for the results site.
        expect(await h.redis.redis.keys(`${h.redis.prefix}:*`)).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('limits every request when the cache is off', async () => {
      const h = await startGateway({ vote: vote.url, results: results.url }, { RATE_LIMIT_RESULTS_MAX: '2', RESULTS_GATEWAY_CACHE: 'false' });
      try {
        const get = () => h.gateway.inject({ method: 'GET', url: '/api/v1/results', headers: { host: 'localhost', 'x-forwarded-for': '198.51.100.21' } });
        expect((await get()).statusCode).toBe(200);
        expect((await get()).statusCode).toBe(200);
        expect((await get()).statusCode).toBe(429);
      } finally {
        await h.close();
      }
    });
  });

  it('keeps serving without limits when Redis is down, and counts it', async () => {
    const h = await startGateway({ vote: vote.url, results: results.url }, { REDIS_URL: `redis://127.0.0.1:${await deadPort()}`, RATE_LIMIT_VOTE_MAX: '1' });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await h.gateway.inject({ method: 'GET', url: '/api/v1/ballot', headers: { host: 'vote.localhost' } });
        expect(res.statusCode).toBe(200);
      }
      const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: { host: 'localhost' } });
      expect(metricValue(metrics.body, 'gateway_rate_limit_errors_total', { site: 'vote' })).toBe(3);
      const ready = await h.gateway.inject({ method: 'GET', url: '/_gateway/ready', headers: { host: 'localhost' } });
      expect(ready.statusCode).toBe(503);
    } finally {
      await h.close();
    }
  });
});
