import path from 'node:path';
import { loadConfig } from '@primaries/config';
import { type OwnRedis, type TestDatabase, createTestDatabase, startOwnRedis, uniqueId, waitFor } from '@primaries/testing';
import { buildAdminApp } from '../src/app';
import { type Harness, enrolStaff, signIn } from './harness';

/**
 * The admin service started while Redis was away (a real process: its own fail-fast client,
 * no client handed in): it starts anyway, and once Redis is back the dashboard's and Bull
 * Board's queue reads work, rather than failing for good ("Stream isn't writeable").
 */
let own: OwnRedis;
let tdb: TestDatabase;
let h: Harness;
beforeAll(async () => {
  own = await startOwnRedis({ config: path.join(__dirname, '..', '..', '..', 'infra', 'redis', 'redis.conf') });
  await own.stop();
  tdb = await createTestDatabase('admin_queues_late');
  const prefix = uniqueId('adminq');
  const config = loadConfig('admin', { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: tdb.url, REDIS_URL: own.url, REDIS_PREFIX: prefix });
  const app = await buildAdminApp(config, { db: tdb.db });
  await app.ready();
  await own.start();
  await waitFor(() => app.redis.status === 'ready' && app.queueReader.status === 'ready', { timeoutMs: 20_000 });
  const tr = { redis: app.redis, url: own.url, prefix, cleanup: async () => {} };
  h = { tdb, tr: tr, app, config, close: async () => app.close() };
}, 60_000);
afterAll(async () => {
  await h?.close();
  await own?.stop();
  await tdb?.drop();
});

it('reads the queues once Redis is back, and answers 503 + Retry-After while it is away', async () => {
  const c = await signIn(h, await enrolStaff(h, 'organizer'));
  const dash = await c.get('/api/v1/dashboard');
  expect({ status: dash.statusCode, queue: dash.json<{ votesQueue?: unknown }>().votesQueue }).toEqual({ status: 200, queue: { waiting: 0, active: 0, delayed: 0, failed: 0 } });
  const board = await c.get('/queues/api/queues');
  expect([board.statusCode, board.body.slice(0, 200)]).toEqual([200, expect.anything()]);

  await own.stop();
  await waitFor(() => h.app.queueReader.status !== 'ready', { timeoutMs: 10_000 });
  const away = await c.get('/api/v1/dashboard');
  expect({ status: away.statusCode, retryAfter: away.headers['retry-after'] !== undefined }).toEqual({ status: 503, retryAfter: true });
  await own.start();
  await waitFor(() => h.app.redis.status === 'ready' && h.app.queueReader.status === 'ready', { timeoutMs: 20_000 });
  // Append-only Redis: the session survived the restart.
  expect((await c.get('/api/v1/dashboard')).statusCode).toBe(200);
}, 90_000);
