import { gzipSync } from 'node:zlib';
import { resultsKeys } from '@primaries/results-model';
import { waitFor } from '@primaries/testing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Harness, metricValue, type Upstream, startGateway, startUpstream } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A results-like upstream: precompressed variants, ETag, Cache-Control chosen per path. */
function resultsHandler(opts: { delayMs?: number } = {}) {
  let version = 1;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (opts.delayMs) await sleep(opts.delayMs);
    const path = request.url.split('?')[0] ?? '';
    const body = JSON.stringify({ path, version: version++ });
    const etag = `"${path.length}-${body.length}-${version}"`;
    reply.header('etag', etag).header('last-modified', new Date(Date.now() - 1000).toUTCString()).header('vary', 'Accept-Encoding').type('application/json');
    if (path.startsWith('/max-age-1')) reply.header('cache-control', 'public, max-age=1');
    else if (path.startsWith('/no-store')) reply.header('cache-control', 'no-store');
    else if (path.startsWith('/private')) reply.header('cache-control', 'private, max-age=60');
    else if (path.startsWith('/swr')) reply.header('cache-control', 'public, max-age=1, stale-while-revalidate=60');
    else if (path.startsWith('/no-header')) { /* no Cache-Control: not cacheable (no heuristics) */ }
    else if (path.startsWith('/vary-cookie')) reply.header('cache-control', 'public, max-age=60').header('vary', 'Cookie');
    else reply.header('cache-control', 'public, max-age=60');
    if (path.startsWith('/missing')) return reply.code(404).send({ error: { code: 'RESULTS_ERR_NOT_FOUND', message: 'no' } });
    if (request.headers['accept-encoding'] === 'gzip') return reply.header('content-encoding', 'gzip').send(gzipSync(body));
    return reply.send(body);
  };
  return handler;
}

describe('results cache', () => {
  let results: Upstream;
  let h: Harness;

  beforeAll(async () => {
    results = await startUpstream('results', resultsHandler({ delayMs: 100 }));
    h = await startGateway({ vote: results.url, results: results.url });
  });
  afterAll(async () => {
    await h.close();
    await results.close();
  });
  beforeEach(() => {
    results.seen.length = 0;
  });

  const get = (url: string, headers: Record<string, string> = {}) => h.gateway.inject({ method: 'GET', url, headers: { host: 'localhost', ...headers } });
  const upstreamHits = (path: string) => results.seen.filter((r) => r.url === path).length;

  it('coalesces N concurrent misses into one upstream request', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => get('/api/v1/results')));
    expect(upstreamHits('/api/v1/results')).toBe(1);
    const bodies = new Set(answers.map((a) => a.body));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(bodies.size).toBe(1);
    expect(answers.filter((a) => a.headers['x-cache'] === 'MISS')).toHaveLength(1);
    // Later requests are plain hits, with Age and the upstream's validators.
    const later = await get('/api/v1/results');
    expect(later.headers['x-cache']).toBe('HIT');
    expect(later.headers['etag']).toBe(answers[0]!.headers['etag']);
    expect(later.headers['cache-control']).toBe('public, max-age=60');
    expect(Number(later.headers['age'])).toBeGreaterThanOrEqual(0);
    expect(upstreamHits('/api/v1/results')).toBe(1);
  });

  it("answers 304 itself when If-None-Match matches the cached ETag", async () => {
    const first = await get('/api/v1/results/turnout');
    const etag = String(first.headers['etag']);
    const again = await get('/api/v1/results/turnout', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['etag']).toBe(etag);
    const other = await get('/api/v1/results/turnout', { 'if-none-match': '"something-else"' });
    expect(other.statusCode).toBe(200);
    expect(upstreamHits('/api/v1/results/turnout')).toBe(1);
  });

  it('fetches a full answer upstream on a miss even when the client sent a validator', async () => {
    const res = await get('/api/v1/results/contests/9', { 'if-none-match': '"stale"' });
    expect(res.statusCode).toBe(200);
    expect(results.seen[0]!.headers['if-none-match']).toBeUndefined();
  });

  it('expires an entry after its max-age', async () => {
    await get('/max-age-1');
    await get('/max-age-1');
    expect(upstreamHits('/max-age-1')).toBe(1);
    await sleep(1100);
    const res = await get('/max-age-1');
    expect(res.headers['x-cache']).toBe('MISS');
    expect(upstreamHits('/max-age-1')).toBe(2);
  });

  it('does not serve stale past max-age even when stale-while-revalidate allows it', async () => {
    await get('/swr');
    await sleep(1100);
    expect((await get('/swr')).headers['x-cache']).toBe('MISS');
    expect(upstreamHits('/swr')).toBe(2);
  });

  it.each(['/no-store', '/private', '/no-header', '/vary-cookie'])('does not cache %s', async (path) => {
    await get(path);
    const second = await get(path);
    expect(second.statusCode).toBe(200);
    expect(second.headers['x-cache']).toBeUndefined();
    expect(upstreamHits(path)).toBe(2);
  });

  it('does not cache non-200 answers', async () => {
    expect((await get('/missing')).statusCode).toBe(404);
    expect((await get('/missing')).statusCode).toBe(404);
    expect(upstreamHits('/missing')).toBe(2);
  });

  it('keys by query string', async () => {
    await get('/q?a=1');
    await get('/q?a=2');
    await get('/q?a=1');
    expect(results.seen.map((r) => r.url)).toEqual(['/q?a=1', '/q?a=2']);
  });

  it('keeps one variant per negotiated encoding and asks upstream for exactly that one', async () => {
    const gz = await get('/enc', { 'accept-encoding': 'gzip, deflate' });
    const plain = await get('/enc', { 'accept-encoding': 'deflate' });
    const gz2 = await get('/enc', { 'accept-encoding': 'gzip;q=0.8, identity;q=0.1' });
    expect(results.seen.map((r) => r.headers['accept-encoding'])).toEqual(['gzip', 'identity']);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gz2.headers['x-cache']).toBe('HIT');
    expect(gz2.rawPayload.equals(gz.rawPayload)).toBe(true);
  });

  it('serves HEAD from a cached GET', async () => {
    await get('/head-me');
    const head = await h.gateway.inject({ method: 'HEAD', url: '/head-me', headers: { host: 'localhost' } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-cache']).toBe('HIT');
    expect(upstreamHits('/head-me')).toBe(1);
  });

  it('does not replay the first request id to later clients', async () => {
    await get('/ids', { 'x-request-id': 'first-client-0001' });
    const hit = await get('/ids', { 'x-request-id': 'second-client-0002' });
    expect(hit.headers['x-request-id']).toBe('second-client-0002');
  });

  it('counts hits and misses in /metrics', async () => {
    const metrics = await h.gateway.inject({ method: 'GET', url: '/_gateway/metrics', headers: { host: 'localhost' } });
    expect(metricValue(metrics.body, 'gateway_results_cache_requests_total', { outcome: 'hit' })).toBeGreaterThan(0);
    expect(metricValue(metrics.body, 'gateway_results_cache_requests_total', { outcome: 'miss' })).toBeGreaterThan(0);
    expect(metricValue(metrics.body, 'gateway_results_cache_requests_total', { outcome: 'coalesced' })).toBeGreaterThanOrEqual(49);
    expect(metricValue(metrics.body, 'gateway_results_cache_not_modified_total')).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics.body, 'gateway_results_cache_entries')).toBeGreaterThan(0);
  });

  it('sends every request upstream when RESULTS_GATEWAY_CACHE is off', async () => {
    const off = await startGateway({ vote: results.url, results: results.url }, { RESULTS_GATEWAY_CACHE: 'false' });
    try {
      await Promise.all([1, 2, 3].map(() => off.gateway.inject({ method: 'GET', url: '/off', headers: { host: 'localhost' } })));
      expect(upstreamHits('/off')).toBe(3);
    } finally {
      await off.close();
    }
  });

  it('stays within its byte bound (LRU)', async () => {
    const small = await startGateway({ vote: results.url, results: results.url }, { RESULTS_GATEWAY_CACHE_MAX_BYTES: '4096' });
    try {
      for (let i = 0; i < 40; i++) await small.gateway.inject({ method: 'GET', url: `/lru/${i}`, headers: { host: 'localhost' } });
      expect(small.gateway.resultsCache!.bytes).toBeLessThanOrEqual(4096);
      expect(small.gateway.resultsCache!.entries).toBeLessThan(40);
      // The most recent one is still there.
      const again = await small.gateway.inject({ method: 'GET', url: '/lru/39', headers: { host: 'localhost' } });
      expect(again.headers['x-cache']).toBe('HIT');
    } finally {
      await small.close();
    }
  });
});

describe('results cache and new snapshots', () => {
  it('empties itself when the worker announces a new snapshot', async () => {
    const results = await startUpstream('results', resultsHandler());
    const h = await startGateway({ vote: results.url, results: results.url });
    try {
      const get = () => h.gateway.inject({ method: 'GET', url: '/api/v1/results', headers: { host: 'localhost' } });
      const first = await get();
      expect((await get()).headers['x-cache']).toBe('HIT');
      // What the tally worker publishes after writing snapshot v2.
      await h.redis.redis.publish(resultsKeys(h.config.REDIS_PREFIX).channel, '2');
      await waitFor(async () => (await get()).headers['x-cache'] === 'MISS', { message: 'cache purge' });
      const after = await get();
      expect(after.body).not.toBe(first.body);
      expect(results.seen.filter((r) => r.url === '/api/v1/results')).toHaveLength(2);
    } finally {
      await h.close();
      await results.close();
    }
  });
});
