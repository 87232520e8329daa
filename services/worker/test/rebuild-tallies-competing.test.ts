import { Queue, QueueEvents } from 'bullmq';
import { Outages } from '@primaries/service-kit';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { loadConfig } from '@primaries/config';
import { createLogger } from '@primaries/logger';
import { QUEUES, type TallyJob, type TallyJobResult, bullPrefix, workerConnection } from '@primaries/queue';
import { type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis } from '@primaries/testing';
import type { Running, WorkerContext } from '../src/context';
import { startRebuildTallies } from '../src/processors/rebuild-tallies';
import type { Releaser } from '../src/release/releaser';

// Issue #17: with several worker processes, BullMQ hands each rebuild job to one of them,
// but two jobs (the schedule's and one on demand) could run at once on two workers, and
// the older build could publish last, or mark as counted receipts the other one began.
// Rebuilds are one at a time across workers.

let tdb: TestDatabase;
let tr: TestRedis;
const running: Running[] = [];
const connections: Redis[] = [];

function context(): WorkerContext {
  // A long schedule: only the jobs the test adds run.
  const config = loadConfig('worker', { DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent', RESULTS_REFRESH_SECONDS: '3600' });
  const connection = () => {
    const c = workerConnection(config.REDIS_URL);
    connections.push(c);
    return c;
  };
  return { config, db: tdb.db, log: createLogger('worker', 'silent'), metrics: new Registry(), outages: new Outages(createLogger('worker', 'silent')), bullPrefix: bullPrefix(tr.prefix), connection, redis: connection() };
}

beforeAll(async () => {
  tdb = await createTestDatabase('tallycompete');
  tr = await createTestRedis('tallycompete');
  await createSmallElection(tdb.db);
});

afterAll(async () => {
  for (const r of running) await r.close();
  for (const c of connections) c.disconnect();
  await tr?.cleanup();
  await tdb?.drop();
});

it('runs one rebuild at a time across two worker processes', async () => {
  // The release step is the first part of a rebuild: it notes how many run at once.
  let active = 0;
  let most = 0;
  const slowReleaser = {
    async releaseNow() {
      active += 1;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 400));
      active -= 1;
    },
  } as unknown as Releaser;
  for (let i = 0; i < 2; i++) {
    const started = await startRebuildTallies(context(), slowReleaser);
    if (started) running.push(started);
  }
  const ctx = context();
  const queue = new Queue<TallyJob, TallyJobResult>(QUEUES.tallies, { connection: ctx.connection(), prefix: ctx.bullPrefix });
  const events = new QueueEvents(QUEUES.tallies, { connection: ctx.connection(), prefix: ctx.bullPrefix });
  try {
    await events.waitUntilReady();
    const jobs = await Promise.all([1, 2, 3, 4].map(() => queue.add('rebuild', { reason: 'manual' })));
    const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 20_000)));
    expect(results.every((r) => r.version !== null)).toBe(true);
    expect(most).toBe(1);
  } finally {
    await events.close();
    await queue.close();
  }
});
