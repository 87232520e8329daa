import { randomUUID, createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { loadConfig } from '@primaries/config';
import { type Database, createDb, migrateToLatest } from '@primaries/db';
import type { Logger } from '@primaries/logger';
import { QUEUES, VOTE_BATCH_JOB, bullPrefix, jobId, workerConnection } from '@primaries/queue';
import { BallotSealer } from '@primaries/sealing';
import { Outages } from '@primaries/service-kit';
import { type OwnPostgres, type SmallElection, type TestRedis, createSmallElection, createTestRedis, startOwnPostgres, waitFor } from '@primaries/testing';
import type { Running } from '../src/context';
import { startRecordVotes } from '../src/processors/record-votes';

/**
 * Issue #8: while Postgres is away a batch must wait for it, not spend its attempts and end
 * in the dead-letter queue; and the outage is one log line, not one per failed try.
 */
jest.setTimeout(60_000);

let own: OwnPostgres;
let db: Kysely<Database>;
let tr: TestRedis;
let el: SmallElection;
let queue: Queue;
let dead: Queue;
let running: Running | null = null;
const connections: Redis[] = [];
const lines: string[] = [];

beforeAll(async () => {
  own = await startOwnPostgres();
  const admin = new pg.Client({ connectionString: own.url() });
  await admin.connect();
  await admin.query('create database primaries');
  await admin.end();
  db = createDb({ url: own.url('primaries'), poolMax: 4 });
  await migrateToLatest(db);
  el = await createSmallElection(db);
  tr = await createTestRedis('recordoutage');
  queue = new Queue(QUEUES.votes, { connection: tr.redis, prefix: bullPrefix(tr.prefix) });
  dead = new Queue(QUEUES.votesDead, { connection: tr.redis, prefix: bullPrefix(tr.prefix) });
});
afterAll(async () => {
  await running?.close();
  for (const c of connections) c.disconnect();
  await queue.close();
  await dead.close();
  await tr.cleanup();
  await db.destroy();
  await own.destroy();
});

it('keeps a batch waiting through an outage longer than its attempts, records it once Postgres is back, and logs the outage once', async () => {
  const member = await db
    .insertInto('members')
    .values({ iin: '880229400003', phone: '+77010000001', full_name: 'M', gender: 'F', birth_date: '1988-02-29', region_id: el.regionIds[0]!, district_id: el.districtIds[0]!, primary_org: 'o', admitted_at: '2015-01-01' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const line = (level: string) => (obj: object, msg?: string) => void lines.push(JSON.stringify({ level, ...obj, msg }));
  const logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  const config = loadConfig('worker', { NODE_ENV: 'test', DATABASE_URL: own.url('primaries'), REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent' });
  running = await startRecordVotes(
    {
      config,
      db,
      log: logger as unknown as Logger,
      metrics: new Registry(),
      outages: new Outages(logger),
      bullPrefix: bullPrefix(tr.prefix),
      redis: tr.redis,
      connection() {
        const c = workerConnection(tr.url);
        c.on('error', () => {});
        connections.push(c);
        return c;
      },
    },
    { concurrency: 1 },
  );

  await own.stop();
  const batchId = randomUUID();
  const contest = el.contests.national;
  // Sealed as the vote service seals it (issue #9), with the key of the worker's configuration.
  const receiptHash = createHash('sha256').update('r').digest('hex');
  const sealed = new BallotSealer(config.BALLOT_KEYS).seal({ contestId: contest, marks: [el.candidates[contest]![0]!], receiptHash }, 1);
  const votes = [{ memberId: member.id, contestId: contest, receiptHash, sealed }];
  // Two attempts, 200 ms apart: without waiting for the store, both are spent within a second.
  await queue.add(VOTE_BATCH_JOB, { batchId, votes }, { jobId: jobId('votes', batchId), attempts: 2, backoff: { type: 'fixed', delay: 200 }, removeOnComplete: true, removeOnFail: true });
  await new Promise((r) => setTimeout(r, 6000));
  expect(await dead.getJobCountByTypes('waiting', 'completed', 'failed')).toBe(0);

  await own.start();
  await waitFor(async () => (await db.selectFrom('sealed_ballots').select('id').execute()).length === 1, { timeoutMs: 20_000, message: 'the ballot recorded' });
  expect(await dead.getJobCountByTypes('waiting', 'completed', 'failed')).toBe(0);
  const msgs = lines.map((l) => JSON.parse(l).msg as string);
  expect(msgs.filter((m) => m === 'postgres unavailable')).toHaveLength(1);
  expect(msgs.filter((m) => m === 'vote batch failed')).toHaveLength(0);
});
