import { Queue, QueueEvents } from 'bullmq';
import { Outages } from '@primaries/service-kit';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { loadConfig } from '@primaries/config';
import { createLogger } from '@primaries/logger';
import { QUEUES, TALLY_SCHEDULER_ID, type TallyJob, type TallyJobResult, bullPrefix, workerConnection } from '@primaries/queue';
import { resultsKeys } from '@primaries/results-model';
import { type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis, waitFor } from '@primaries/testing';
import type { Running, WorkerContext } from '../src/context';
import { startRebuildTallies } from '../src/processors/rebuild-tallies';

let tdb: TestDatabase;
let tr: TestRedis;
let running: Running | null = null;
const connections: Redis[] = [];

function context(extraEnv: Record<string, string>): WorkerContext {
  const config = loadConfig('worker', { DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent', ...extraEnv });
  const connection = () => {
    const c = workerConnection(config.REDIS_URL);
    connections.push(c);
    return c;
  };
  return { config, db: tdb.db, log: createLogger('worker', 'silent'), metrics: new Registry(), outages: new Outages(createLogger('worker', 'silent')), bullPrefix: bullPrefix(tr.prefix), connection, redis: connection() };
}

beforeAll(async () => {
  tdb = await createTestDatabase('tallysched');
  tr = await createTestRedis('tallysched');
  await createSmallElection(tdb.db);
});

afterAll(async () => {
  await running?.close();
  for (const c of connections) c.disconnect();
  await tr?.cleanup();
  await tdb?.drop();
});

it('rebuilds on the RESULTS_REFRESH_SECONDS schedule and on demand', async () => {
  const ctx = context({ RESULTS_REFRESH_SECONDS: '1' });
  running = await startRebuildTallies(ctx);
  const keys = resultsKeys(tr.prefix);
  const queue = new Queue<TallyJob, TallyJobResult>(QUEUES.tallies, { connection: ctx.connection(), prefix: ctx.bullPrefix });
  const events = new QueueEvents(QUEUES.tallies, { connection: ctx.connection(), prefix: ctx.bullPrefix });
  try {
    const scheduler = await queue.getJobScheduler(TALLY_SCHEDULER_ID);
    expect(Number(scheduler?.every)).toBe(1000);
    // The scheduler's first job runs at once, the next a second later.
    await waitFor(async () => Number(await tr.redis.get(keys.current)) >= 2, { timeoutMs: 8000, message: 'two scheduled snapshots' });

    await events.waitUntilReady();
    const job = await queue.add('rebuild', { reason: 'manual' });
    const result = await job.waitUntilFinished(events, 10_000);
    expect(result.version).toBeGreaterThanOrEqual(3);
    expect(result.electionId).not.toBeNull();
    expect(await ctx.metrics.getSingleMetricAsString('results_snapshot_version')).toMatch(/results_snapshot_version\{?.*\}? \d+/);
  } finally {
    await events.close();
    await queue.close();
  }
});
