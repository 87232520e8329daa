import { type ChildProcess, spawn } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '@primaries/config';
import { freePort, waitFor } from '@primaries/testing';
import { resultsKeys } from '@primaries/results-model';
import { buildResultsApp } from '../src/app';
import { makeSnapshot, publish } from './snapshot-fixture';

// A throwaway redis-server of this test's own, so it can be killed mid-test.
let server: ChildProcess | null = null;
let redis: Redis;
let app: FastifyInstance;
const prefix = 'resultsdown';


beforeAll(async () => {
  const port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 200, disconnectTimeout: 100 });
  redis.on('error', () => {});
  await waitFor(async () => (await redis.ping().catch(() => '')) === 'PONG', { message: 'throwaway redis up' });
  app = await buildResultsApp(loadConfig('results', { REDIS_URL: url, REDIS_PREFIX: prefix, RESULTS_POLL_SECONDS: '1', LOG_LEVEL: 'silent' }));
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  if (server && server.exitCode === null) server.kill('SIGKILL');
});

it('finds a snapshot by polling when the notification was missed', async () => {
  const s = makeSnapshot(5);
  const keys = resultsKeys(prefix);
  // Written without PUBLISH: only the RESULTS_POLL_SECONDS poll can find it.
  await redis.multi().set(keys.version(5), JSON.stringify(s)).set(keys.current, '5').exec();
  await waitFor(() => app.snapshots.current?.version === 5, { timeoutMs: 5000, message: 'polled snapshot' });
});

it('keeps serving the last snapshot after Redis dies, and /ready says so', async () => {
  await publish(redis, prefix, makeSnapshot(6));
  await waitFor(() => app.snapshots.current?.version === 6, { message: 'snapshot 6' });
  const exited = new Promise((r) => server!.once('exit', r));
  server!.kill('SIGKILL');
  await exited;

  // Let the poller hit the dead server at least once.
  await new Promise((r) => setTimeout(r, 1500));
  for (const url of ['/api/v1/results', '/api/v1/results/contests/12', '/api/v1/results/turnout', '/']) {
    const res = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
  }
  const res = await app.inject({ url: '/api/v1/results' });
  expect(res.json().contests).toHaveLength(2);
  expect(res.headers.etag).toBe('"v6-all.id"');
  expect(app.snapshots.current?.version).toBe(6);
  const ready = await app.inject({ url: '/ready' });
  expect(ready.statusCode).toBe(503);
  expect(ready.json().checks.redis).not.toBe('ok');
  expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
});

describe('started while Redis is down', () => {
  let late: ChildProcess | null = null;
  let lateApp: FastifyInstance | null = null;
  let lateRedis: Redis | null = null;

  afterAll(async () => {
    await lateApp?.close();
    lateRedis?.disconnect();
    if (late && late.exitCode === null) late.kill('SIGKILL');
  });

  it('answers NOT_READY, then subscribes once Redis arrives and loads on the notification', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    // A long poll interval: only the subscription can bring the snapshot in time.
    lateApp = await buildResultsApp(loadConfig('results', { REDIS_URL: url, REDIS_PREFIX: prefix, RESULTS_POLL_SECONDS: '600', LOG_LEVEL: 'silent' }));
    await lateApp.ready();
    const res = await lateApp.inject({ url: '/api/v1/results' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('RESULTS_ERR_NOT_READY');

    late = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    lateRedis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, disconnectTimeout: 100 });
    lateRedis.on('error', () => {});
    const channel = resultsKeys(prefix).channel;
    await waitFor(
      async () => {
        const reply = (await lateRedis!.pubsub('NUMSUB', channel).catch(() => [channel, 0])) as [string, number];
        return Number(reply[1]) >= 1;
      },
      { timeoutMs: 15_000, message: 'the results service to subscribe' },
    );
    await publish(lateRedis, prefix, makeSnapshot(9));
    await waitFor(() => lateApp!.snapshots.current?.version === 9, { timeoutMs: 5000, message: 'snapshot 9 via notification' });
    expect((await lateApp.inject({ url: '/api/v1/results/contests/11' })).statusCode).toBe(200);
  }, 30_000);
});
