import { loadConfig } from '@primaries/config';
import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';

/**
 * Issue #8: the operational endpoints are not public on the sites. With OPS_TOKEN set, the
 * gateway's own /_gateway/ready, /metrics, /docs and the sites' /metrics, /ready, /docs
 * answer 404 without `Authorization: Bearer <OPS_TOKEN>` (nothing reaches an upstream), in
 * every spelling a router could take for the same path; /_gateway/health stays open.
 */
const TOKEN = 'ops-token-for-the-test-0123456789abcdef';
let vote: Upstream;
let results: Upstream;
let h: Harness;

beforeAll(async () => {
  vote = await startUpstream('vote');
  results = await startUpstream('results');
  h = await startGateway({ vote: vote.url, results: results.url }, { OPS_TOKEN: TOKEN, RESULTS_GATEWAY_CACHE: 'false' });
});
afterAll(async () => {
  await h?.close();
  await vote?.close();
  await results?.close();
});
beforeEach(() => {
  vote.seen.length = 0;
  results.seen.length = 0;
});

const get = (host: string, url: string, headers: Record<string, string> = {}) => h.gateway.inject({ url, headers: { host, ...headers } });
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('the gateway\'s own endpoints', () => {
  it.each(['/_gateway/ready', '/_gateway/metrics', '/_gateway/docs', '/_gateway/docs/json', '/_gateway/metrics/', '/_gateway/%6detrics'])('%s is 404 without the token', async (url) => {
    for (const host of ['vote.localhost', 'localhost', 'elsewhere.example']) {
      const res = await get(host, url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('GATEWAY_ERR_NOT_FOUND');
      expect(await get(host, url, { authorization: 'Bearer not-the-token-0123456789abcdef0123' })).toMatchObject({ statusCode: 404 });
    }
  });

  it('answers them with the token', async () => {
    expect((await get('localhost', '/_gateway/ready', bearer)).statusCode).toBe(200);
    const metrics = await get('localhost', '/_gateway/metrics', bearer);
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('gateway_upstream_errors_total');
    expect((await get('localhost', '/_gateway/docs/json', bearer)).statusCode).toBe(200);
  });

  it('keeps /_gateway/health open for load balancers', async () => {
    expect((await get('localhost', '/_gateway/health')).statusCode).toBe(200);
  });
});

describe("the sites' operational endpoints", () => {
  const spellings = ['/metrics', '/ready', '/docs', '/docs/json', '/docs/static/index.html', '/METRICS', '/metrics/', '//metrics', '/%6detrics', '/%2Fmetrics', '/./metrics', '/metrics;x=1', '/metrics?x=1', '/Ready', '/docs/'];
  it.each(spellings)('%s is 404 without the token and reaches no upstream', async (url) => {
    for (const host of ['vote.localhost', 'localhost']) {
      const res = await get(host, url);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().error.code).toMatch(/^GATEWAY_ERR_(NOT_FOUND|BAD_PATH)$/);
    }
    expect(vote.seen).toHaveLength(0);
    expect(results.seen).toHaveLength(0);
  });

  it('forwards them with the token', async () => {
    expect((await get('vote.localhost', '/metrics', bearer)).statusCode).toBe(200);
    expect((await get('localhost', '/ready', bearer)).statusCode).toBe(200);
    expect(vote.seen.map((r) => r.url)).toEqual(['/metrics']);
    expect(results.seen.map((r) => r.url)).toEqual(['/ready']);
  });

  it('still forwards the APIs and /health', async () => {
    expect((await get('vote.localhost', '/api/v1/ballot')).statusCode).toBe(200);
    expect((await get('vote.localhost', '/health')).statusCode).toBe(200);
    expect((await get('localhost', '/api/v1/results/metrics')).statusCode).toBe(200);
  });
});

describe('configuration', () => {
  const production = { NODE_ENV: 'production' };
  it('requires OPS_TOKEN in production', () => {
    expect(() => loadConfig('gateway', production)).toThrow(/OPS_TOKEN/);
    expect(loadConfig('gateway', { ...production, OPS_TOKEN: TOKEN }).OPS_TOKEN).toBe(TOKEN);
    expect(() => loadConfig('gateway', { OPS_TOKEN: 'short' })).toThrow(/OPS_TOKEN/);
  });
});
