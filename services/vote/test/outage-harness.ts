import path from 'node:path';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { type VoteConfig, loadConfig } from '@primaries/config';
import { type Database, createDb, migrateToLatest } from '@primaries/db';
import { makeIin } from '@primaries/domain';
import { type Logger, loggerOptions } from '@primaries/logger';
import { bullPrefix, workerConnection } from '@primaries/queue';
import { readOutbox } from '@primaries/redis-protocols';
import { Outages } from '@primaries/service-kit';
import { type OwnPostgres, type OwnRedis, type SmallElection, captureLines, createSmallElection, startOwnPostgres, startOwnRedis, waitFor } from '@primaries/testing';
import { buildVoteApp } from '../src/app';
import type { Running, WorkerContext } from '@primaries/worker/context';
import { startRecordVotes } from '@primaries/worker/processors';
import { startSendSms } from '@primaries/worker/processors';

/**
 * The vote service as production builds it (its own fail-fast, auto-pipelined Redis client
 * and pg pool), on a Postgres and a Redis of the test's own that the test stops and starts.
 */
export interface OutageHarness {
  pg: OwnPostgres;
  redis: OwnRedis;
  db: Kysely<Database>;
  admin: Redis;
  el: SmallElection;
  config: VoteConfig;
  app: Awaited<ReturnType<typeof buildVoteApp>>;
  logLines: string[];
  addMember(): Promise<{ id: string; iin: string; phone: string }>;
  /** The real sign-in: code by SMS (outbox), then verify. */
  login(m: { iin: string; phone: string }, ip: string): Promise<string>;
  /** record-votes and send-sms on the test's stores. */
  startWorker(): Promise<void>;
  /** Log lines (parsed) whose msg is one of these. */
  lines(...msgs: string[]): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function outageHarness(): Promise<OutageHarness> {
  const [ownPg, ownRedis] = await Promise.all([startOwnPostgres(), startOwnRedis({ config: path.join(__dirname, '../../../infra/redis/redis.conf') })]);
  const admin = new pg.Client({ connectionString: ownPg.url() });
  await admin.connect();
  await admin.query('create database primaries');
  await admin.end();
  const db = createDb({ url: ownPg.url('primaries'), poolMax: 4 });
  await migrateToLatest(db);
  const el = await createSmallElection(db);
  const env = { NODE_ENV: 'test', DATABASE_URL: ownPg.url('primaries'), REDIS_URL: ownRedis.url, REDIS_PREFIX: 'outage', LOG_LEVEL: 'info' };
  const config = loadConfig('vote', env);
  const { lines: logLines, stream } = captureLines();
  const app = await buildVoteApp(config, {}, { logger: { ...loggerOptions('vote', 'info'), stream } });
  await app.ready();
  const adminRedis = new Redis(ownRedis.url, { maxRetriesPerRequest: null });
  adminRedis.on('error', () => {});
  const running: Running[] = [];
  const connections: Redis[] = [];
  let n = 0;

  const h: OutageHarness = {
    pg: ownPg,
    redis: ownRedis,
    db,
    admin: adminRedis,
    el,
    config,
    app,
    logLines,
    async addMember() {
      const k = ++n;
      const iin = makeIin(`1970-01-${String(1 + (k % 28)).padStart(2, '0')}`, 'F', 1000 + k)!;
      const phone = `+7701${String(1_000_000 + k).padStart(7, '0')}`;
      const row = await db
        .insertInto('members')
        .values({ iin, phone, full_name: `Member ${k}`, gender: 'F', birth_date: '1970-01-01', region_id: el.regionIds[0]!, district_id: el.districtIds[0]!, primary_org: 'PO', admitted_at: '2015-05-05' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, iin, phone };
    },
    async login(m, ip) {
      const code = await app.inject({ method: 'POST', url: '/api/v1/auth/code', headers: { 'x-forwarded-for': ip }, payload: { iin: m.iin, phone: m.phone } });
      if (code.statusCode !== 202) throw new Error(`code: ${code.statusCode} ${code.body}`);
      let sms = '';
      await waitFor(async () => {
        const [last] = await readOutbox(adminRedis, config.REDIS_PREFIX, m.phone, 1);
        sms = /(\d{6})/.exec(last?.text ?? '')?.[1] ?? '';
        return sms !== '';
      }, { message: 'the code in the outbox' });
      const verify = await app.inject({ method: 'POST', url: '/api/v1/auth/verify', headers: { 'x-forwarded-for': ip }, payload: { challengeId: code.json().challengeId, code: sms } });
      if (verify.statusCode !== 200) throw new Error(`verify: ${verify.statusCode} ${verify.body}`);
      return verify.json().token as string;
    },
    async startWorker() {
      const wconfig = loadConfig('worker', { ...env, LOG_LEVEL: 'silent' });
      const log = app.log.child({ service: 'worker' }) as unknown as Logger;
      const connection = () => {
        const c = workerConnection(ownRedis.url);
        c.on('error', () => {});
        connections.push(c);
        return c;
      };
      const ctx: WorkerContext = { config: wconfig, db, log, metrics: new Registry(), outages: new Outages(log), bullPrefix: bullPrefix(env.REDIS_PREFIX), connection, redis: connection() };
      running.push(...(await Promise.all([startRecordVotes(ctx, { concurrency: 2 }), startSendSms(ctx)])).filter((r): r is Running => r !== null));
    },
    lines(...msgs) {
      return logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => msgs.includes(l['msg'] as string));
    },
    async close() {
      await Promise.all(running.map((r) => r.close()));
      for (const c of connections) c.disconnect();
      adminRedis.disconnect();
      await app.close();
      await db.destroy();
      await Promise.all([ownPg.destroy(), ownRedis.destroy()]);
    },
  };
  return h;
}
