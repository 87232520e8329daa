import type { Redis } from 'ioredis';
import { Outages } from '@primaries/service-kit';
import { Registry } from 'prom-client';
import { type VoteConfig, type WorkerConfig, loadConfig } from '@primaries/config';
import { type Logger, loggerOptions } from '@primaries/logger';
import { QUEUES, bullPrefix, workerConnection } from '@primaries/queue';
import {
  type SmallElection,
  type TestDatabase,
  type TestRedis,
  createSmallElection,
  createTestDatabase,
  createTestRedis,
  captureLines,
} from '@primaries/testing';
import { Queue } from 'bullmq';
import { buildVoteApp } from '../src/app';
import { issueToken } from '@primaries/redis-protocols';
import type { Running, WorkerContext } from '@primaries/worker/context';
import { type RecordVotesOptions, startRecordVotes } from '@primaries/worker/processors';
import { Releaser } from '@primaries/worker/release';
import { rebuildResults } from '@primaries/worker/tally';
import { BallotSealer, type Sealer } from '@primaries/sealing';

/** Shared set-up for the voting tests: own database, own Redis prefix/queues, the real vote app. */
export interface VotingHarness {
  tdb: TestDatabase;
  tr: TestRedis;
  el: SmallElection;
  config: VoteConfig;
  app: Awaited<ReturnType<typeof buildVoteApp>>;
  /** Every log line the app wrote (pino to a stream), for secrecy checks. */
  logLines: string[];
  /** A member in region `r`, district `d` (indexes into el.regionIds / el.districtIds). */
  addMember(r?: number, d?: number): Promise<string>;
  token(memberId: string): Promise<string>;
  /** The voter's contests in the small election: national, their region, their district. */
  contestsOf(r: number, d: number): number[];
  /** The worker's configuration for this harness (its database, Redis prefix), with `env` on top. */
  workerConfig(env?: Record<string, string>): WorkerConfig;
  startWorker(opts?: RecordVotesOptions, env?: Record<string, string>): Promise<Running & { connections: Redis[] }>;
  /** A results rebuild as the worker runs it: the release step first (BALLOT_RELEASE_MIN from `env`). */
  rebuild(env?: Record<string, string>): Promise<Awaited<ReturnType<typeof rebuildResults>>['snapshot']>;
  votesQueue(): Queue;
  close(): Promise<void>;
}

let memberSeq = 0;

/** What the linkage suite varies (docs/secrecy.md): its own Redis, a stand-in sealer, the log level, the app before it is ready. */
export interface HarnessOptions {
  /** A Redis of the test's own (e.g. with AOF on) instead of a prefix on the shared one. */
  redis?: TestRedis;
  /** Seal and open with this instead of BALLOT_KEYS (vote app, worker and release). */
  sealer?: Sealer;
  logLevel?: string;
  /** pino options without the redaction of personal data (a deliberately careless configuration). */
  unredactedLogs?: boolean;
  /** Called with the app before `ready()`: hooks a configuration adds. */
  configure?: (app: Awaited<ReturnType<typeof buildVoteApp>>) => void;
}

export async function votingHarness(
  label: string,
  env: Record<string, string> = {},
  electionOpts: Parameters<typeof createSmallElection>[1] = {},
  options: HarnessOptions = {},
): Promise<VotingHarness> {
  const tdb = await createTestDatabase(label);
  const tr = options.redis ?? (await createTestRedis(label));
  const el = await createSmallElection(tdb.db, electionOpts);
  const level = options.logLevel ?? 'info';
  const config = loadConfig('vote', { NODE_ENV: 'test', DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: level, ...env });
  const { lines: logLines, stream } = captureLines();
  const logger = options.unredactedLogs ? { level, stream } : { ...loggerOptions('vote', level), stream };
  const app = await buildVoteApp(config, { db: tdb.db, redis: tr.redis, ...(options.sealer ? { sealer: options.sealer } : {}) }, { logger });
  options.configure?.(app);
  await app.ready();
  const queues: Queue[] = [];
  const workers: Array<Running & { connections: Redis[] }> = [];
  const base = memberSeq++ * 10_000 + Math.floor(Math.random() * 1000) * 100_000;
  let n = 0;

  const h: VotingHarness = {
    tdb,
    tr,
    el,
    config,
    app,
    logLines,
    async addMember(r = 0, d = 0) {
      n++;
      const k = base + n;
      const row = await tdb.db
        .insertInto('members')
        .values({
          iin: String(200000000000 + k),
          phone: `+7702${String(k).padStart(7, '0')}`,
          full_name: `Voter ${k}`,
          gender: 'F',
          birth_date: '1985-01-01',
          region_id: el.regionIds[r]!,
          district_id: el.districtIds[r * 2 + d]!,
          primary_org: 'org',
          admitted_at: '2025-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async token(memberId) {
      return (await issueToken(tr.redis, tr.prefix, { memberId, electionId: el.electionId, ip: '127.0.0.1' }, 600)).token;
    },
    contestsOf(r, d) {
      return [el.contests.national, el.contests.region[r]!, el.contests.district[r * 2 + d]!];
    },
    workerConfig(wenv = {}) {
      return loadConfig('worker', { NODE_ENV: 'test', DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent', ...env, ...wenv });
    },
    async rebuild(wenv = {}) {
      const c = h.workerConfig(wenv);
      const releaser = new Releaser({ db: tdb.db, sealer: options.sealer ?? new BallotSealer(c.BALLOT_KEYS), min: c.BALLOT_RELEASE_MIN, reserve: c.BALLOT_RELEASE_RESERVE, log: app.log as unknown as Logger });
      return (await rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser, signer: c.RESULTS_SIGNING_KEY })).snapshot;
    },
    async startWorker(opts = {}, wenv = {}) {
      const wconfig: WorkerConfig = h.workerConfig(wenv);
      const connections: Redis[] = [];
      const connection = () => {
        const c = workerConnection(tr.url);
        c.on('error', () => {});
        connections.push(c);
        return c;
      };
      const log = app.log.child({ service: 'worker' }) as unknown as Logger;
      const ctx: WorkerContext = { config: wconfig, db: tdb.db, log, metrics: new Registry(), outages: new Outages(log), bullPrefix: bullPrefix(tr.prefix), connection, redis: tr.redis };
      const running = await startRecordVotes(ctx, { ...(options.sealer ? { sealer: options.sealer } : {}), ...opts });
      if (!running) throw new Error('record-votes did not start');
      const w = {
        ...running,
        connections,
        async close() {
          await running.close();
          await Promise.all(connections.map((c) => (c.status === 'end' ? Promise.resolve() : new Promise((r) => { c.once('end', r); c.disconnect(); }))));
        },
      };
      workers.push(w);
      return w;
    },
    votesQueue() {
      const q = new Queue(QUEUES.votes, { connection: tr.redis, prefix: bullPrefix(tr.prefix) });
      queues.push(q);
      return q;
    },
    async close() {
      await app.close();
      for (const w of workers) await w.close().catch(() => {});
      for (const q of queues) await q.close();
      await tr.cleanup();
      await tdb.drop();
    },
  };
  return h;
}

/** Counts of what the voting tables hold: contest ballots recorded (sealed, or released into `ballots`) and participation. */
export async function tableCounts(h: VotingHarness): Promise<{ ballots: number; participation: number }> {
  const b = await h.tdb.db.selectFrom('ballots').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const s = await h.tdb.db.selectFrom('sealed_ballots').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const p = await h.tdb.db.selectFrom('participation').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { ballots: Number(b.n) + Number(s.n), participation: Number(p.n) };
}
