import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@primaries/config';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import { buildResultsApp } from '../src/app';
import { makeSnapshot, publish } from './snapshot-fixture';

let tr: TestRedis;
let app: FastifyInstance;

beforeAll(async () => {
  tr = await createTestRedis('resultsapi');
  // No DATABASE_URL anywhere: the results service has no Postgres connection to lose.
  const config = loadConfig('results', { REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, RESULTS_POLL_SECONDS: '30', LOG_LEVEL: 'silent' });
  expect(Object.keys(config)).not.toContain('DATABASE_URL');
  app = await buildResultsApp(config);
  await app.ready();
  // The app's own Redis client connects in the background (no offline queue): wait for it,
  // as a readiness probe would, rather than for however long the app took to register.
  await waitFor(() => app.redis.status === 'ready', { message: 'Redis connected' });
});

afterAll(async () => {
  await app?.close();
  await tr?.cleanup();
});

describe('results API', () => {
  it('answers 503 RESULTS_ERR_NOT_READY with Retry-After before any snapshot', async () => {
    const res = await app.inject({ url: '/api/v1/results' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('RESULTS_ERR_NOT_READY');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await app.inject({ url: '/api/v1/results/contests/11' })).json().error.code).toBe('RESULTS_ERR_NOT_READY');
  });

  it('has no Postgres: no db decorator, /ready checks only Redis', async () => {
    expect(app.hasDecorator('db')).toBe(false);
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(Object.keys(ready.json().checks)).toEqual(['redis']);
  });

  it('loads a snapshot on the pub/sub notification and serves the API shapes', async () => {
    await publish(tr.redis, tr.prefix, makeSnapshot(1, { pending: 12 }));
    await waitFor(() => app.snapshots.current?.version === 1, { message: 'snapshot 1 loaded' });

    const all = await app.inject({ url: '/api/v1/results' });
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body).toMatchObject({ electionId: 7, final: false, turnout: { eligible: 100, authorized: 60, voted: 40 } });
    // Accepted online but not yet released into the count (issue #9).
    expect(body.pending).toBe(12);
    expect(typeof body.generatedAt).toBe('string');
    expect(typeof body.nextRefreshAt).toBe('string');
    expect(body.contests.map((c: { id: number; ballots: number; level: string; region: string | null }) => [c.id, c.level, c.region, c.ballots])).toEqual([
      [11, 'national', null, 40],
      [12, 'region', 'Akmola', 30],
    ]);

    const contest = (await app.inject({ url: '/api/v1/results/contests/11' })).json();
    expect(contest.contest).toMatchObject({ id: 11, name: 'National list' });
    expect(contest).toMatchObject({ ballots: 40, online: 35, paper: 5, ratings: { women: [101, 103], youth: [101] } });
    expect(contest.candidates[3]).toMatchObject({ id: 104, removed: true, rank: null, votes: 0 });
    expect(Object.keys(contest.candidates[0]).sort()).toEqual(expect.arrayContaining(['id', 'name', 'votes', 'percent', 'rank', 'woman', 'youth', 'removed']));

    const turnout = (await app.inject({ url: '/api/v1/results/turnout' })).json();
    expect(turnout).toEqual([
      { regionId: 1, regionCode: 'AKM', region: 'Akmola', regionKk: 'Ақмола', eligible: 60, authorized: 40, voted: 30 },
      { regionId: 2, regionCode: 'ALA', region: 'Almaty', regionKk: 'Алматы', eligible: 40, authorized: 20, voted: 10 },
    ]);
    // Turnout over time and the public list of removed candidates, with when and why (issue #11).
    expect(body.turnoutByHour.map((h: { voted: number; cumulative: number }) => [h.voted, h.cumulative])).toEqual([[25, 25], [10, 35], [5, 40]]);
    expect(body.removed).toEqual([{ contestId: 11, candidateId: 104, name: 'Erlan D', nameKk: null, removedAt: expect.any(String), reason: 'Skipped the mandatory debates' }]);
    expect(contest.candidates[3]).toMatchObject({ removalReason: 'Skipped the mandatory debates' });
  });

  it('answers 404 RESULTS_ERR_CONTEST_NOT_FOUND and 400 for a malformed id', async () => {
    const missing = await app.inject({ url: '/api/v1/results/contests/999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('RESULTS_ERR_CONTEST_NOT_FOUND');
    const bad = await app.inject({ url: '/api/v1/results/contests/abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('RESULTS_ERR_VALIDATION');
  });

  it('serves precompressed gzip and brotli variants with distinct strong ETags', async () => {
    const plain = await app.inject({ url: '/api/v1/results/contests/11' });
    const gz = await app.inject({ url: '/api/v1/results/contests/11', headers: { 'accept-encoding': 'gzip, deflate' } });
    const br = await app.inject({ url: '/api/v1/results/contests/11', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    const noBr = await app.inject({ url: '/api/v1/results/contests/11', headers: { 'accept-encoding': 'br;q=0, gzip' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(noBr.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    const tags = [plain, gz, br].map((r) => r.headers.etag);
    expect(new Set(tags).size).toBe(3);
    for (const r of [plain, gz, br]) {
      expect(r.headers.etag).toMatch(/^"v1-c11\.(id|gz|br)"$/);
      expect(r.headers.vary).toBe('Accept-Encoding');
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('sets Cache-Control to expire at the next refresh and Last-Modified to the build time', async () => {
    const res = await app.inject({ url: '/api/v1/results' });
    const maxAge = Number(/max-age=(\d+)/.exec(String(res.headers['cache-control']))?.[1]);
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    const lastModified = Date.parse(String(res.headers['last-modified']));
    expect(Math.abs(lastModified - Date.parse(res.json().generatedAt))).toBeLessThan(1000);
  });

  it('answers 304 on a matching If-None-Match (strong or weak) or If-Modified-Since, 200 otherwise', async () => {
    const first = await app.inject({ url: '/api/v1/results', headers: { 'accept-encoding': 'br' } });
    const etag = String(first.headers.etag);
    const again = await app.inject({ url: '/api/v1/results', headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toMatch(/max-age=\d+/);
    expect((await app.inject({ url: '/api/v1/results', headers: { 'accept-encoding': 'br', 'if-none-match': `"x", W/${etag}` } })).statusCode).toBe(304);
    // The brotli tag doesn't validate the identity representation.
    expect((await app.inject({ url: '/api/v1/results', headers: { 'if-none-match': etag } })).statusCode).toBe(200);
    const lm = String(first.headers['last-modified']);
    expect((await app.inject({ url: '/api/v1/results', headers: { 'if-modified-since': lm } })).statusCode).toBe(304);
    const before = new Date(Date.parse(lm) - 10_000).toUTCString();
    expect((await app.inject({ url: '/api/v1/results', headers: { 'if-modified-since': before } })).statusCode).toBe(200);
  });

  it('moves to a newer snapshot on notification; old ETags stop matching', async () => {
    const old = await app.inject({ url: '/api/v1/results' });
    await publish(tr.redis, tr.prefix, makeSnapshot(2, { final: true, turnout: { eligible: 100, authorized: 61, voted: 45 } }));
    await waitFor(() => app.snapshots.current?.version === 2, { message: 'snapshot 2 loaded' });
    const res = await app.inject({ url: '/api/v1/results', headers: { 'if-none-match': String(old.headers.etag) } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ final: true, turnout: { voted: 45 } });
    expect(res.headers.etag).toBe('"v2-all.id"');
  });

  it('never goes back to an older version', async () => {
    await tr.redis.set(`${tr.prefix}:results:current`, '1');
    expect(await app.snapshots.refresh()).toBe(true);
    expect(app.snapshots.current?.version).toBe(2);
  });

  it('catches up with notifications that arrive during a load, without waiting for the poll', async () => {
    await publish(tr.redis, tr.prefix, makeSnapshot(3));
    await publish(tr.redis, tr.prefix, makeSnapshot(4));
    await waitFor(() => app.snapshots.current?.version === 4, { timeoutMs: 5000, message: 'snapshot 4' });
  });

  it('exposes the served version in /metrics and the OpenAPI document at /docs/json', async () => {
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/results_snapshot_version\{service="results"\} 4/);
    const docs = (await app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/api/v1/results/', '/api/v1/results/turnout', '/api/v1/results/contests/{id}']));
  });
});
