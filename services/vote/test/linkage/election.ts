import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import type { Database } from '@primaries/db';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { type Sealer, newBallotKeyEntry } from '@primaries/sealing';
import { type OwnRedis, type TestRedis, startOwnRedis, waitFor } from '@primaries/testing';
import { type VotingHarness, votingHarness } from '../voting-fixtures';
import { type DbState, type WalRecord, readDbState, readWal, relfilenodes } from './db-state';

/**
 * One small election run end to end as production runs it — vote service, queue, worker,
 * release, tally — on a Redis of its own with append-only persistence
 * (infra/redis/redis.conf), while an insider collects everything the stores hold: the
 * database after every vote (a DBA watching), the AOF before and after a rewrite, an RDB
 * taken while votes wait in the queue, the jobs then waiting, the dead letters, every Redis
 * key at the end, and every log line. insider.ts then tries to link members to marks.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export interface LinkageRun {
  label: string;
  /** BALLOT_RELEASE_MIN. */
  K: number;
  /** BALLOT_RELEASE_RESERVE (default K). */
  reserve?: number;
  /** undefined: sealed with a BALLOT_KEYS key of the run's own. */
  sealer?: Sealer;
  /** A careless configuration: unredacted logs and every vote body logged beside its member. */
  logBodies?: boolean;
}

interface Voter {
  memberId: string;
  token: string;
  contests: number[];
  /** contest id → the marks the voter sent. */
  marks: Map<number, number[]>;
  /** contest id → the receipt the voter got (what a coercer takes from them). */
  receipts: Map<number, string>;
}

export interface Evidence {
  run: LinkageRun;
  voters: Voter[];
  /** Voted, then their member row vanished before the worker ran: dead-lettered. */
  deadVoter: Voter;
  /** The database after each vote was recorded (and any group released), in order. */
  watch: DbState[];
  final: DbState;
  aofBeforeRewrite: Buffer;
  aofAfterRewrite: Buffer;
  rdb: Buffer;
  /** Job data of the votes queue while the worker was stopped. */
  queuedJobs: unknown[];
  deadLetters: unknown[];
  /** Every key of the Redis at the end, with its value. */
  redisDump: string[];
  logLines: string[];
  /** Heap records of the WAL over the run, and the tables' relfilenodes. */
  wal: WalRecord[];
  rel: Record<'participation' | 'sealed_ballots' | 'ballots', number>;
}

/** The voters: 24 in 2 regions × 2 districts, 1–2 marks each, varied within every contest. */
export const VOTERS = 24;

function choose(h: VotingHarness, i: number, contests: number[]): Map<number, number[]> {
  return new Map(
    contests.map((c, k) => {
      const cands = h.el.candidates[c]!;
      const first = (i + 2 * k + Math.floor(i / 4)) % 4;
      const marks = i % 3 === 0 ? [cands[first]!, cands[(first + 1) % 4]!] : [cands[first]!];
      return [c, marks.sort((a, b) => a - b)];
    }),
  );
}

async function vote(h: VotingHarness, i: number): Promise<Voter> {
  const [r, d] = [i % 2, Math.floor(i / 2) % 2];
  const memberId = await h.addMember(r, d);
  const contests = h.contestsOf(r, d);
  const marks = choose(h, i, contests);
  const token = await h.token(memberId);
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/votes',
    headers: { authorization: `Bearer ${token}` },
    payload: { selections: contests.map((c) => ({ contestId: c, candidateIds: marks.get(c)! })) },
  });
  if (res.statusCode !== 202) throw new Error(`vote ${i}: ${res.statusCode} ${res.body}`);
  const receipts = new Map((res.json().receipts as Array<{ contestId: number; receipt: string }>).map((x) => [x.contestId, x.receipt]));
  return { memberId, token, contests, marks, receipts };
}

/** Waits until these votes are recorded and no contest holds `ready` sealed ballots (a group it would release). */
async function settled(h: VotingHarness, voters: Voter[], ready: number): Promise<void> {
  const status = async (r: string) => (await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${r}` })).json().status as string;
  for (const v of voters) for (const r of v.receipts.values()) await waitFor(async () => (await status(r)) !== 'queued', { message: 'vote recorded', timeoutMs: 20_000 });
  await waitFor(async () => (await sql<{ n: number }>`select count(*)::int n from (select 1 from sealed_ballots group by contest_id having count(*) >= ${ready}) g`.execute(h.tdb.db)).rows[0]!.n === 0, { message: 'groups released', timeoutMs: 20_000 });
}

async function aofFiles(redis: Redis): Promise<Buffer> {
  const dir = ((await redis.config('GET', 'dir')))[1]!;
  const sub = path.join(dir, 'appendonlydir');
  const names = (await readdir(sub)).sort();
  return Buffer.concat(await Promise.all(names.map((n) => readFile(path.join(sub, n)))));
}

async function whenDone(redis: Redis, flag: string): Promise<void> {
  await waitFor(async () => new RegExp(`${flag}:0`).test(await redis.info('persistence')), { message: flag, timeoutMs: 20_000 });
}

/** An RDB file written now, uncompressed (LZF hides nothing from an insider, only from grep). */
async function rdbNow(redis: Redis): Promise<Buffer> {
  await redis.config('SET', 'rdbcompression', 'no');
  await redis.bgsave();
  await whenDone(redis, 'rdb_bgsave_in_progress');
  const dir = ((await redis.config('GET', 'dir')))[1]!;
  return readFile(path.join(dir, 'dump.rdb'));
}

/** Every key with its values as stored (one line per value: a job's data is its JSON as such). */
async function dumpRedis(redis: Redis): Promise<string[]> {
  const out: string[] = [];
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key);
    const values =
      type === 'string' ? [(await redis.get(key)) ?? '']
      : type === 'hash' ? Object.entries(await redis.hgetall(key)).map(([f, v]) => `${f} ${v}`)
      : type === 'set' ? await redis.smembers(key)
      : type === 'list' ? await redis.lrange(key, 0, -1)
      : type === 'zset' ? await redis.zrange(key, '0', '-1')
      : type === 'stream' ? (await redis.xrange(key, '-', '+')).map(([id, fields]) => `${id} ${fields.join(' ')}`)
      : [];
    out.push(...values.map((v) => `${key} ${v}`));
  }
  return out;
}

function logBodies(app: VotingHarness['app']): void {
  // What a debugging session might leave on: each vote body logged with its member.
  app.addHook('onResponse', async (request) => {
    if (request.url === '/api/v1/votes' && request.session) request.log.info({ memberId: String(request.session.memberId), body: request.body }, 'vote received');
  });
}

/** The AOF before and after a rewrite, the dead letters and every key, once the election is over. */
async function redisAtTheEnd(client: Redis, prefix: string): Promise<Pick<Evidence, 'aofBeforeRewrite' | 'aofAfterRewrite' | 'deadLetters' | 'redisDump'>> {
  const aofBeforeRewrite = await aofFiles(client);
  await client.config('SET', 'aof-use-rdb-preamble', 'no');
  await client.bgrewriteaof();
  await whenDone(client, 'aof_rewrite_in_progress');
  const dead = new Queue(QUEUES.votesDead, { connection: client, prefix: bullPrefix(prefix) });
  const deadLetters = (await dead.getJobs(['waiting'])).map((j) => j.data as unknown);
  await dead.close();
  return { aofBeforeRewrite, aofAfterRewrite: await aofFiles(client), deadLetters, redisDump: await dumpRedis(client) };
}

/** Runs the election and collects the evidence; the caller must call `close()`. */
export async function runElection(run: LinkageRun): Promise<{ evidence: Evidence; db: Kysely<Database>; close: () => Promise<void> }> {
  const server: OwnRedis = await startOwnRedis({ config: path.join(ROOT, 'infra/redis/redis.conf') });
  const client = new Redis(server.url, { maxRetriesPerRequest: 3 });
  const tr: TestRedis = { prefix: 'linkage', url: server.url, redis: client, cleanup: async () => void client.disconnect() };
  const env: Record<string, string> = run.sealer ? {} : { BALLOT_KEYS: newBallotKeyEntry('linkage') };
  const reserve = run.reserve ?? run.K;
  const wenv = { BALLOT_RELEASE_MIN: String(run.K), BALLOT_RELEASE_RESERVE: String(reserve) };
  const h = await votingHarness(`linkage${run.label}`, env, { maxChoices: 2 }, {
    redis: tr,
    logLevel: 'debug',
    ...(run.sealer ? { sealer: run.sealer } : {}),
    ...(run.logBodies ? { unredactedLogs: true, configure: logBodies } : {}),
  });
  const close = async () => {
    await h.close();
    await server.destroy();
  };
  try {
    // The WAL, read as it is written (a holder of the archive reads it all).
    await sql`create extension if not exists pg_walinspect`.execute(h.tdb.db);
    const wal: WalRecord[] = [];
    let lsn = (await sql<{ l: string }>`select pg_current_wal_flush_lsn()::text l`.execute(h.tdb.db)).rows[0]!.l;
    const look = async (): Promise<DbState> => {
      const next = await readWal(h.tdb.db, lsn);
      wal.push(...next.records);
      lsn = next.lsn;
      return readDbState(h.tdb.db);
    };
    let worker = await h.startWorker({}, wenv);
    const voters: Voter[] = [];
    const watch: DbState[] = [];
    // A quiet hour: one voter at a time, each recorded (and released, if a group is full) before the next.
    for (let i = 0; i < VOTERS - 4; i++) {
      voters.push(await vote(h, i));
      await settled(h, voters.slice(-1), run.K + reserve);
      watch.push(await look());
    }
    // The worker away: votes wait in the queue; one voter's member row goes before it returns.
    await worker.close();
    const waiting: Voter[] = [];
    for (let i = VOTERS - 4; i < VOTERS; i++) waiting.push(await vote(h, i));
    const deadVoter = await vote(h, VOTERS);
    await h.tdb.db.deleteFrom('members').where('id', '=', deadVoter.memberId).execute();
    const queuedJobs = (await h.votesQueue().getJobs(['waiting', 'delayed', 'prioritized'])).map((j) => j.data as unknown);
    const rdb = await rdbNow(client);
    worker = await h.startWorker({}, wenv);
    voters.push(...waiting);
    await settled(h, [...waiting, deadVoter], run.K + reserve);
    watch.push(await look());
    await h.rebuild(wenv);
    await worker.close();
    // The close: the tally releases everything left (the reserves: K per contest).
    await h.tdb.db.updateTable('elections').set({ closed_at: new Date() }).where('id', '=', h.el.electionId).execute();
    await h.rebuild(wenv);
    watch.push(await look());

    const evidence: Evidence = {
      run,
      voters,
      deadVoter,
      watch,
      final: await look(),
      wal,
      rel: await relfilenodes(h.tdb.db),
      rdb,
      queuedJobs,
      ...(await redisAtTheEnd(client, tr.prefix)),
      logLines: h.logLines,
    };
    return { evidence, db: h.tdb.db, close };
  } catch (err) {
    await close();
    throw err;
  }
}
