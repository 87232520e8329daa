import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { loadConfig } from '@primaries/config';
import { type Database, applyServiceGrants, createDb } from '@primaries/db';
import { createLogger } from '@primaries/logger';
import { Outages } from '@primaries/service-kit';
import { QUEUES, VOTE_BATCH_JOB, bullPrefix, jobId, voteBatchJobOptions, workerConnection } from '@primaries/queue';
import { voteBacklogKey } from '@primaries/redis-protocols';
import { type TestDatabase, type TestRedis, TEST_PG_ADMIN_URL, createSmallElection, createTestDatabase, createTestRedis, uniqueId, waitFor } from '@primaries/testing';
import type { WorkerContext } from '../src/context';
import { startRecordVotes } from '../src/processors/record-votes';
import { BallotSealer } from '@primaries/sealing';
import { releaserFor } from '../src/release/releaser';
import { rebuildResults } from '../src/tally/rebuild';

/**
 * The worker as deployed (docs/deploy.md, "Database roles"): connected as its own role with
 * only the grants of `db grants`, it still records ballots and receipts and rebuilds the
 * results. A write the code gained without a grant fails here.
 */

const id = uniqueId('wrole');
const roles = { vote: `${id}_vote`, worker: `${id}_worker`, admin: `${id}_admin` };
let tdb: TestDatabase;
let tr: TestRedis;
let asWorker: Kysely<Database>;
const connections: Redis[] = [];

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase('workerrole');
  tr = await createTestRedis('workerrole');
  for (const r of Object.values(roles)) await admin(`create role "${r}" login`);
  await applyServiceGrants(tdb.db, roles);
  const u = new URL(tdb.url);
  u.username = roles.worker;
  asWorker = createDb({ url: u.toString(), poolMax: 4, applicationName: 'test-worker-role' });
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await asWorker?.destroy();
  await tr?.cleanup();
  await tdb?.drop();
  for (const r of Object.values(roles)) await admin(`drop role if exists "${r}"`);
});

it('records votes and rebuilds the results with the worker role\'s grants alone', async () => {
  const el = await createSmallElection(tdb.db);
  const members = await tdb.db
    .insertInto('members')
    .values([0, 1, 2].map((i) => ({
      iin: String(500000000000 + i), phone: `+7701${String(i).padStart(7, '0')}`, full_name: `M${i}`, gender: 'F' as const,
      birth_date: '1985-01-01', region_id: el.regionIds[0]!, district_id: el.districtIds[0]!, primary_org: 'o', admitted_at: '2025-01-01',
    })))
    .returning('id')
    .execute();
  const config = loadConfig('worker', { NODE_ENV: 'test', DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent' });
  const sealer = new BallotSealer(config.BALLOT_KEYS);
  const ctx: WorkerContext = {
    config,
    db: asWorker,
    log: createLogger('worker', 'silent'),
    metrics: new Registry(),
    outages: new Outages(createLogger('worker', 'silent')),
    bullPrefix: bullPrefix(tr.prefix),
    redis: tr.redis,
    connection() {
      const c = workerConnection(tr.url);
      c.on('error', () => {});
      connections.push(c);
      return c;
    },
  };
  const running = (await startRecordVotes(ctx))!;
  const queue = new Queue(QUEUES.votes, { connection: tr.redis, prefix: bullPrefix(tr.prefix) });
  try {
    const votes = members.map((m) => {
      const receiptHash = createHash('sha256').update(randomUUID()).digest('hex');
      const contestId = el.contests.national;
      return { memberId: m.id, contestId, receiptHash, sealed: sealer.seal({ contestId, marks: [el.candidates[contestId]![0]!], receiptHash }, 2) };
    });
    const batchId = randomUUID();
    await tr.redis.incrby(voteBacklogKey(tr.prefix), votes.length);
    await queue.add(VOTE_BATCH_JOB, { batchId, votes }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
    const count = async (table: 'sealed_ballots' | 'receipts' | 'participation') => Number((await tdb.db.selectFrom(table).select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    await waitFor(async () => (await count('sealed_ballots')) === 3 && (await count('receipts')) === 3, { timeoutMs: 20_000, message: '3 ballots and 3 receipts recorded' });
    expect(await count('participation')).toBe(3);
    // Closed: the rebuild first releases every sealed ballot (the worker role deletes them, writes ballots).
    await tdb.db.updateTable('elections').set({ closed_at: new Date() }).where('id', '=', el.electionId).execute();
    const summary = await rebuildResults(asWorker, tr.redis, tr.prefix, { electionId: el.electionId, releaser: releaserFor(ctx) });
    expect(summary.snapshot?.contests.find((c) => c.id === el.contests.national)?.ballots).toBe(3);
  } finally {
    await running.close();
    await queue.close();
  }
});
