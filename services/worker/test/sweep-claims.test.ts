import { Outages } from '@primaries/service-kit';
import { Registry } from 'prom-client';
import { loadConfig } from '@primaries/config';
import { createDb } from '@primaries/db';
import { createLogger } from '@primaries/logger';
import { Queue } from 'bullmq';
import { QUEUES, VOTE_BATCH_JOB, bullPrefix } from '@primaries/queue';
import { claimContests, confirmClaims, claimMembers, pendingClaimCount, readVoteBacklog, votedKey } from '@primaries/redis-protocols';
import { TEST_PG_ADMIN_URL, type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import type { Running, WorkerContext } from '../src/context';
import { startSweepClaims } from '../src/processors/sweep-claims';

/** The worker's claim sweep on its timer (issue #8): claims a killed vote service left unconfirmed are released after VOTE_CLAIM_TIMEOUT_SECONDS. */

let tr: TestRedis;
let running: Running | null = null;
// Never queried: the sweep needs Redis only.
const db = createDb({ url: TEST_PG_ADMIN_URL, poolMax: 1, applicationName: 'test-sweep-claims' });

beforeAll(async () => {
  tr = await createTestRedis('sweepclaims');
});
afterAll(async () => {
  await running?.close();
  await tr.cleanup();
  await db.destroy();
});

const hashOf = (n: number, c: number) => `${String(n).padStart(8, '0')}${String(c).padStart(56, '0')}`;

it('releases a claim left unconfirmed past VOTE_CLAIM_TIMEOUT_SECONDS, and leaves a confirmed one', async () => {
  const config = loadConfig('worker', { REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent', VOTE_CLAIM_TIMEOUT_SECONDS: '1' });
  const log = createLogger('worker', 'silent');
  const metrics = new Registry();
  const ctx: WorkerContext = { config, db, log, metrics, outages: new Outages(log), bullPrefix: bullPrefix(tr.prefix), connection: () => tr.redis, redis: tr.redis };
  const orphan = { electionId: 1, memberId: '101', contestIds: [1, 2, 3], receiptHashes: [1, 2, 3].map((c) => hashOf(101, c)) };
  const confirmed = { electionId: 1, memberId: '102', contestIds: [1, 4], receiptHashes: [1, 4].map((c) => hashOf(102, c)) };
  expect(await claimContests(tr.redis, tr.prefix, orphan)).toBeNull();
  expect(await claimContests(tr.redis, tr.prefix, confirmed)).toBeNull();
  await confirmClaims(tr.redis, tr.prefix, claimMembers(confirmed));
  expect(await readVoteBacklog(tr.redis, tr.prefix)).toBe(5);

  running = startSweepClaims(ctx);
  await waitFor(async () => (await pendingClaimCount(tr.redis, tr.prefix)) === 0, { timeoutMs: 5000, message: 'the orphan claim swept' });
  expect(await tr.redis.scard(votedKey(tr.prefix, 1, '101'))).toBe(0);
  expect(await tr.redis.smembers(votedKey(tr.prefix, 1, '102'))).toEqual(expect.arrayContaining(['1', '4']));
  // The confirmed claim's votes stay counted until the worker records their batch.
  expect(await readVoteBacklog(tr.redis, tr.prefix)).toBe(2);
  expect(await metrics.getSingleMetricAsString('vote_claims_released_total')).toMatch(/vote_claims_released_total 3/);
});

it('keeps a claim while a batch that may hold it is still in the queue (its vote service died after the add, before confirming)', async () => {
  // The sweep of the test above still runs (VOTE_CLAIM_TIMEOUT_SECONDS 1, every 0.5 s).
  const queue = new Queue(QUEUES.votes, { connection: tr.redis, prefix: bullPrefix(tr.prefix) });
  try {
    const job = await queue.add(VOTE_BATCH_JOB, { batchId: 'none', votes: [] });
    const claim = { electionId: 1, memberId: '103', contestIds: [1], receiptHashes: [hashOf(103, 1)] };
    expect(await claimContests(tr.redis, tr.prefix, claim)).toBeNull();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await pendingClaimCount(tr.redis, tr.prefix)).toBe(1);
    expect(await tr.redis.scard(votedKey(tr.prefix, 1, '103'))).toBe(1);
    // The batch is done (here: gone): the claim, its receipt still unsettled, is released.
    await job.remove();
    await waitFor(async () => (await pendingClaimCount(tr.redis, tr.prefix)) === 0, { timeoutMs: 5000, message: 'the claim released' });
    expect(await tr.redis.scard(votedKey(tr.prefix, 1, '103'))).toBe(0);
  } finally {
    await queue.close();
  }
});
