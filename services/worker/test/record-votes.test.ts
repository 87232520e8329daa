import { createHash, randomUUID } from 'node:crypto';
import { Outages } from '@primaries/service-kit';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { loadConfig } from '@primaries/config';
import { createLogger } from '@primaries/logger';
import { QUEUES, VOTE_BATCH_JOB, bullPrefix, jobId, voteBatchJobOptions, workerConnection } from '@primaries/queue';
import { receiptKey, voteBacklogKey } from '@primaries/redis-protocols';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis, waitFor } from '@primaries/testing';
import type { Running, WorkerContext } from '../src/context';
import { BallotSealer } from '@primaries/sealing';
import { recordVotesMetrics, startRecordVotes } from '../src/processors/record-votes';
import { type RecordVotesDeps, recordVoteBatch, shuffle } from '../src/voting/record-batch';

let tdb: TestDatabase;
let tr: TestRedis;
let el: SmallElection;
let queue: Queue;
let dead: Queue;
const connections: Redis[] = [];
let members: string[] = [];

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

function context(registry = new Registry()): WorkerContext {
  const config = loadConfig('worker', { NODE_ENV: 'test', DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent' });
  return {
    config,
    db: tdb.db,
    log: createLogger('worker', 'silent'),
    metrics: registry,
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
}

/**
 * Contest ballots recorded: sealed, or already released into `ballots` (issue #9 split the
 * one table in two; a ballot is in exactly one of them), and participation rows.
 */
async function counts() {
  const { rows } = await sql<{ b: string; s: string; p: string }>`
    select (select count(*) from ballots) b, (select count(*) from sealed_ballots) s, (select count(*) from participation) p`.execute(tdb.db);
  return { ballots: Number(rows[0]!.b) + Number(rows[0]!.s), participation: Number(rows[0]!.p) };
}

/** Seals as the vote service does, with the key the worker's configuration holds (the development key in tests). */
let sealer: BallotSealer;

/** A vote for member i in contest c marking its first candidate (or these marks), sealed. */
function vote(member: string, contest: number, receipt: string = randomUUID(), marks = [el.candidates[contest]?.[0] ?? 1]) {
  const receiptHash = hash(receipt);
  return { memberId: member, contestId: contest, receiptHash, sealed: sealer.seal({ contestId: contest, marks, receiptHash }, 3) };
}

async function enqueue(votes: unknown[], batchId = randomUUID()) {
  await tr.redis.incrby(voteBacklogKey(tr.prefix), votes.length);
  await queue.add(VOTE_BATCH_JOB, { batchId, votes }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
  return batchId;
}

async function reset() {
  await tdb.db.deleteFrom('ballots').execute();
  await tdb.db.deleteFrom('sealed_ballots').execute();
  await tdb.db.deleteFrom('receipts').execute();
  await tdb.db.deleteFrom('participation').execute();
  await tr.redis.set(voteBacklogKey(tr.prefix), 0);
}

beforeAll(async () => {
  tdb = await createTestDatabase('recordvotes');
  tr = await createTestRedis('recordvotes');
  el = await createSmallElection(tdb.db);
  sealer = new BallotSealer(context().config.BALLOT_KEYS);
  const rows = await tdb.db
    .insertInto('members')
    .values(
      Array.from({ length: 520 }, (_, i) => ({
        iin: String(400000000000 + i),
        phone: `+7707${String(i).padStart(7, '0')}`,
        full_name: `M${i}`,
        gender: 'M' as const,
        birth_date: '1980-01-01',
        region_id: el.regionIds[0]!,
        district_id: el.districtIds[0]!,
        primary_org: 'o',
        admitted_at: '2025-01-01',
      })),
    )
    .returning('id')
    .execute();
  members = rows.map((r) => r.id);
  queue = new Queue(QUEUES.votes, { connection: tr.redis, prefix: bullPrefix(tr.prefix) });
  dead = new Queue(QUEUES.votesDead, { connection: tr.redis, prefix: bullPrefix(tr.prefix) });
});

afterAll(async () => {
  await queue.close();
  await dead.close();
  await Promise.all(connections.map((c) => (c.status === 'end' ? Promise.resolve() : new Promise((r) => { c.once('end', r); c.disconnect(); }))));
  await tr.cleanup();
  await tdb.drop();
});

describe('record-votes', () => {
  it('records 499 good votes of a batch and dead-letters the one bad vote (and the bad kinds)', async () => {
    await reset();
    const registry = new Registry();
    const running = (await startRecordVotes(context(registry)))!;
    const good = members.slice(0, 499).map((m) => vote(m, el.contests.national));
    const bad = [
      vote(members[500]!, 999_999, 'x1'), // unknown contest
      { ...vote(members[500]!, el.contests.national, 'x2'), memberId: 'not-a-number' }, // malformed
      vote('999999999', el.contests.national), // unknown member
      vote(members[501]!, el.contests.national, undefined, [el.candidates[el.contests.region[0]!]![0]!]), // candidate of another contest
    ];
    const batchId = await enqueue([...good.slice(0, 200), ...bad, ...good.slice(200)]);
    await waitFor(async () => (await counts()).ballots === 499, { message: '499 ballots', timeoutMs: 15_000 });
    await waitFor(async () => (await dead.getJobCounts('waiting')).waiting === 4, { message: 'dead letters' });
    await running.close();

    expect(await counts()).toEqual({ ballots: 499, participation: 499 });
    const letters = await dead.getJobs(['waiting']);
    expect(letters.map((j) => j.data.reason).sort()).toEqual(['malformed vote', 'unknown candidate', 'unknown contest', 'unknown member']);
    expect(letters.every((j) => j.data.batchId === batchId)).toBe(true);
    const metric = await registry.getSingleMetric('votes_dead_lettered_total')!.get();
    expect(metric.values.reduce((s, v) => s + v.value, 0)).toBe(4);
    // The batch job itself is gone (removeOnComplete), and the backlog is settled.
    expect(await queue.getJob(jobId('votes', batchId))).toBeUndefined();
    expect(Number(await tr.redis.get(voteBacklogKey(tr.prefix)))).toBe(0);
    for (const v of good.slice(0, 5)) expect(await tr.redis.exists(receiptKey(tr.prefix, v.receiptHash))).toBe(0);
    await dead.obliterate({ force: true });
  });

  it('a batch that fails its schema is dead-lettered whole and fails for good (UnrecoverableError), leaving no job', async () => {
    await reset();
    const running = (await startRecordVotes(context()))!;
    const batchId = randomUUID();
    await queue.add(VOTE_BATCH_JOB, { batchId, votes: 'nope' }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
    await waitFor(async () => (await dead.getJobCounts('waiting')).waiting === 1, { message: 'dead letter' });
    await waitFor(async () => (await queue.getJob(jobId('votes', batchId))) === undefined, { message: 'job removed' });
    await running.close();
    expect((await dead.getJobs(['waiting']))[0]!.data.reason).toBe('malformed batch');
    expect(await counts()).toEqual({ ballots: 0, participation: 0 });
    await dead.obliterate({ force: true });
  });

  it('running a batch again after it committed (crash before ack) changes nothing', async () => {
    await reset();
    const deps: RecordVotesDeps = { db: tdb.db, redis: tr.redis, redisPrefix: tr.prefix, dead, metrics: recordVotesMetrics(new Registry()), sealer, candidates: new Map() };
    const votes = members.slice(0, 10).flatMap((m) => [vote(m, el.contests.national), vote(m, el.contests.region[0]!), vote(m, el.contests.district[0]!)]);
    // Same member and contest twice in one batch (the pre-check lost): one ballot.
    votes.push(vote(members[0]!, el.contests.national));
    await tr.redis.set(voteBacklogKey(tr.prefix), votes.length);
    for (const v of votes) await tr.redis.set(receiptKey(tr.prefix, v.receiptHash), 'q');
    const batchId = randomUUID();
    const first = await recordVoteBatch(deps, batchId, votes);
    expect(first).toMatchObject({ recorded: 30, duplicates: 1, dead: 0 });
    const after = await counts();
    const second = await recordVoteBatch(deps, batchId, votes);
    expect(second).toMatchObject({ recorded: 0, duplicates: 31, dead: 0 });
    expect(await counts()).toEqual(after);
    expect(after).toEqual({ ballots: 30, participation: 30 });
    // The backlog is settled once, not twice; recorded receipts lose their marker; the
    // duplicate's receipt, with no ballot of its own, is marked rejected.
    expect(Number(await tr.redis.get(voteBacklogKey(tr.prefix)))).toBe(0);
    expect(await tr.redis.exists(receiptKey(tr.prefix, votes[0]!.receiptHash))).toBe(0);
    expect(await tr.redis.get(receiptKey(tr.prefix, votes[30]!.receiptHash))).toBe('r');
  });

  it('a batch aborted mid-transaction, its worker stopped and a new one started: the counts come out exact', async () => {
    await reset();
    const first = (await startRecordVotes(context()))!;
    let second: Running | null = null;
    const locker = new pg.Client({ connectionString: tdb.url });
    await locker.connect();
    // pg_stat_activity is a snapshot per transaction: watch from outside the locker's.
    const watcher = new pg.Client({ connectionString: tdb.url });
    await watcher.connect();
    try {
      // Hold the sealed ballots table so the batch's transaction stops after its participation insert.
      await locker.query('begin');
      await locker.query('lock table sealed_ballots in exclusive mode');
      const votes = members.slice(100, 150).map((m) => vote(m, el.contests.region[0]!));
      const batchId = await enqueue(votes);
      let pid = 0;
      await waitFor(
        async () => {
          const r = await watcher.query(`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into sealed_ballots%'`);
          pid = r.rows[0]?.pid ?? 0;
          return pid !== 0;
        },
        { message: 'worker blocked mid-batch' },
      );
      // The participation rows are written but uncommitted; abort the transaction there.
      // (pg_cancel_backend, not terminate: a terminated pool client emits an unhandled
      // 'error' from pg — see the report — which would crash the test process.)
      await watcher.query('select pg_cancel_backend($1)', [pid]);
      await first.close();
      expect(await counts()).toEqual({ ballots: 0, participation: 0 });
      // The failed batch waits for its retry; nothing of it was kept.
      expect(await queue.getJobState(jobId('votes', batchId))).toBe('delayed');
      await locker.query('commit');
      second = (await startRecordVotes(context()))!;
      await waitFor(async () => (await counts()).ballots === 50, { message: 'retried batch recorded', timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 300));
      expect(await counts()).toEqual({ ballots: 50, participation: 50 });
      expect(Number(await tr.redis.get(voteBacklogKey(tr.prefix)))).toBe(0);
    } finally {
      await locker.end();
      await watcher.end();
      await first.close();
      await second?.close();
    }
  });

  it('a crash after the batch committed but before its receipts were written: the retry writes exactly its receipts', async () => {
    await reset();
    const first = (await startRecordVotes(context()))!;
    let second: Running | null = null;
    const locker = new pg.Client({ connectionString: tdb.url });
    await locker.connect();
    const watcher = new pg.Client({ connectionString: tdb.url });
    await watcher.connect();
    try {
      // The receipts table held: the batch commits its ballots, then stops at its receipts.
      await locker.query('begin');
      await locker.query('lock table receipts in exclusive mode');
      const votes = members.slice(300, 320).map((m) => vote(m, el.contests.national));
      // Two of them had already voted (on paper, say): their receipts must say rejected.
      await tdb.db.insertInto('participation').values(members.slice(300, 302).map((m) => ({ member_id: m, contest_id: el.contests.national, channel: 'online' as const, polling_station_id: null }))).execute();
      for (const v of votes) await tr.redis.set(receiptKey(tr.prefix, v.receiptHash), 'q');
      const batchId = await enqueue(votes);
      let pid = 0;
      await waitFor(
        async () => {
          const r = await watcher.query(`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into receipts%'`);
          pid = r.rows[0]?.pid ?? 0;
          return pid !== 0;
        },
        { message: 'worker blocked at the receipts' },
      );
      expect(await counts()).toEqual({ ballots: 18, participation: 20 });
      await watcher.query('select pg_cancel_backend($1)', [pid]);
      await first.close();
      expect(await queue.getJobState(jobId('votes', batchId))).toBe('delayed');
      await locker.query('commit');
      second = (await startRecordVotes(context()))!;
      await waitFor(async () => (await tdb.db.selectFrom('receipts').select('status').execute()).length === 18, { message: 'receipts written', timeoutMs: 15_000 });
      await waitFor(async () => (await queue.getJob(jobId('votes', batchId))) === undefined, { message: 'job done' });
      // Nothing doubled, nothing lost: 18 ballots, 18 receipts, and the two duplicates refused.
      expect(await counts()).toEqual({ ballots: 18, participation: 20 });
      const held = await tdb.db.selectFrom('receipts').select((e) => sql<string>`encode(${e.ref('receipt_hash')}, 'hex')`.as('h')).execute();
      expect(held.map((r) => r.h).sort()).toEqual(votes.slice(2).map((v) => v.receiptHash).sort());
      for (const v of votes.slice(2)) expect(await tr.redis.exists(receiptKey(tr.prefix, v.receiptHash))).toBe(0);
      for (const v of votes.slice(0, 2)) expect(await tr.redis.get(receiptKey(tr.prefix, v.receiptHash))).toBe('r');
      expect(await tdb.db.selectFrom('recorded_vote_batches').selectAll().execute()).toEqual([]);
      expect(Number(await tr.redis.get(voteBacklogKey(tr.prefix)))).toBe(0);
    } finally {
      await locker.end();
      await watcher.end();
      await first.close();
      await second?.close();
    }
  });

  it('a batch failing its last attempt is dead-lettered whole before the job is dropped', async () => {
    await reset();
    const running = (await startRecordVotes(context()))!;
    const locker = new pg.Client({ connectionString: tdb.url });
    await locker.connect();
    const watcher = new pg.Client({ connectionString: tdb.url });
    await watcher.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table sealed_ballots in exclusive mode');
      const batchId = randomUUID();
      const votes = members.slice(200, 210).map((m) => vote(m, el.contests.national));
      await tr.redis.incrby(voteBacklogKey(tr.prefix), votes.length);
      await queue.add(VOTE_BATCH_JOB, { batchId, votes }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions(), attempts: 1 });
      await waitFor(async () => (await watcher.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into sealed_ballots%'`)).rowCount === 1, { message: 'blocked' });
      await watcher.query(`select pg_cancel_backend(pid) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into sealed_ballots%'`);
      await waitFor(async () => (await dead.getJobCounts('waiting')).waiting === 1, { message: 'dead letter' });
      await waitFor(async () => (await queue.getJob(jobId('votes', batchId))) === undefined, { message: 'job dropped' });
      const letter = (await dead.getJobs(['waiting']))[0]!;
      expect(letter.data).toMatchObject({ batchId, reason: 'retries exhausted' });
      expect(letter.data.votes).toHaveLength(10);
      expect(Number(await tr.redis.get(voteBacklogKey(tr.prefix)))).toBe(0);
      await locker.query('commit');
      expect(await counts()).toEqual({ ballots: 0, participation: 0 });
    } finally {
      await locker.end();
      await watcher.end();
      await running.close();
      await dead.obliterate({ force: true });
    }
  });

  it('shuffles with every order possible: a permutation, rarely the identity', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const out = shuffle([...items]);
    expect([...out].sort((a, b) => a - b)).toEqual(items);
    expect(out).not.toEqual(items);
  });
});
