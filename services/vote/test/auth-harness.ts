import type { FastifyInstance } from 'fastify';
import { Outages } from '@primaries/service-kit';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { type VoteConfig, loadConfig } from '@primaries/config';
import { makeIin } from '@primaries/domain';
import { type Logger, loggerOptions } from '@primaries/logger';
import { bullPrefix, workerConnection } from '@primaries/queue';
import {
  type SmallElection,
  type TestDatabase,
  type TestRedis,
  createSmallElection,
  createTestDatabase,
  createTestRedis,
  captureLines,
  waitFor,
} from '@primaries/testing';
import { buildVoteApp } from '../src/app';
import type { Running, WorkerContext } from '@primaries/worker/context';
import { startSendSms } from '@primaries/worker/processors';

/** A member as a test knows it: the secrets it types in, and its id. */
export interface TestMember {
  id: string;
  iin: string;
  phone: string;
}

/** Everything an authorization test needs: own database, own Redis prefix and queue, the real vote app. */
export interface AuthHarness {
  tdb: TestDatabase;
  tr: TestRedis;
  el: SmallElection;
  config: VoteConfig;
  app: FastifyInstance;
  /** Every log line the app and the SMS worker wrote, for the secrecy checks. */
  logLines: string[];
  addMember(opts?: { status?: 'active' | 'expelled' | 'blocked' | 'suspended'; admittedAt?: string }): Promise<TestMember>;
  /** A valid IIN no member has. */
  strangerIin(): string;
  /** A valid Kazakh mobile number no member has. */
  strangerPhone(): string;
  /** Starts the real send-sms processor on this test's queue prefix (outbox provider). */
  startSms(): Promise<void>;
  /** POST /api/v1/auth/code from an address. */
  requestCode(m: { iin: string; phone: string }, ip?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>;
  /** Waits for the newest code the outbox holds for this phone (newer than `notBefore` messages). */
  codeFor(phone: string, notBefore?: number): Promise<string>;
  verify(challengeId: string, code: string, ip?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Code + SMS + verify for a member; returns the bearer token. */
  login(m: TestMember, ip?: string): Promise<string>;
  close(): Promise<void>;
}

let seq = 0;

/**
 * Builds the harness. `overrides` replace parsed settings, which lets a test use lifetimes
 * shorter than the schema's production minimums (a 1-second code or token).
 */
export async function authHarness(label: string, env: Record<string, string> = {}, overrides: Partial<VoteConfig> = {}): Promise<AuthHarness> {
  const tdb = await createTestDatabase(label);
  const tr = await createTestRedis(label);
  const el = await createSmallElection(tdb.db, { freezeDate: '2026-09-11' });
  const baseEnv = { NODE_ENV: 'test', DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'trace' };
  const config = Object.freeze({ ...loadConfig('vote', { ...baseEnv, ...env }), ...overrides }) as VoteConfig;

  const { lines: logLines, stream } = captureLines();
  const app = await buildVoteApp(config, { db: tdb.db, redis: tr.redis }, { logger: { ...loggerOptions('vote', 'trace'), stream } });
  // A bearer-only route, to see what a token is worth (the ballot routes are another area's).
  app.get('/test/whoami', { preHandler: app.authenticate }, async (request) => ({ memberId: request.session?.memberId }));
  await app.ready();

  const running: Running[] = [];
  const connections: Redis[] = [];
  // Distinct numbers per file and per member: IIN serials and phone suffixes.
  const base = (process.pid % 500) * 1000 + (seq++ % 50) * 20_000 + Math.floor(Math.random() * 10_000);
  let n = 0;
  const usedIins = new Set<string>();
  const uniqueIin = () => {
    for (;;) {
      const k = base + n++;
      const iin = makeIin(`19${50 + (k % 40)}-0${1 + (k % 9)}-1${k % 10}`, k % 2 ? 'F' : 'M', Math.floor(k / 7) % 10_000);
      if (iin && !usedIins.has(iin)) {
        usedIins.add(iin);
        return iin;
      }
    }
  };
  let phoneN = 0;
  const nextPhone = () => `+7701${String((base * 7 + phoneN++) % 10_000_000).padStart(7, '0')}`;

  const h: AuthHarness = {
    tdb,
    tr,
    el,
    config,
    app,
    logLines,
    async addMember({ status = 'active', admittedAt = '2015-05-05' } = {}) {
      const iin = uniqueIin();
      const phone = nextPhone();
      const row = await tdb.db
        .insertInto('members')
        .values({
          iin,
          phone,
          full_name: `Member ${iin.slice(-4)}`,
          gender: 'M',
          birth_date: '1980-01-01',
          region_id: el.regionIds[0]!,
          district_id: el.districtIds[0]!,
          primary_org: 'PO-1',
          admitted_at: admittedAt,
          status,
          status_reason: status === 'active' ? null : 'test',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, iin, phone };
    },
    strangerIin: uniqueIin,
    strangerPhone: nextPhone,
    async startSms() {
      const wconfig = loadConfig('worker', { NODE_ENV: 'test', DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, SMS_RATE_PER_SECOND: '200' });
      const connection = () => {
        const c = workerConnection(tr.url);
        connections.push(c);
        return c;
      };
      const ctx: WorkerContext = {
        config: wconfig,
        db: tdb.db,
        // The app's pino, so the worker's lines land in the same captured stream.
        log: app.log.child({ service: 'worker' }) as unknown as Logger,
        metrics: new Registry(),
        outages: new Outages(app.log),
        bullPrefix: bullPrefix(tr.prefix),
        connection,
        redis: connection(),
      };
      const r = await startSendSms(ctx);
      if (!r) throw new Error('send-sms did not start');
      running.push(r);
    },
    async requestCode(m, ip = '10.0.0.1') {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/code', headers: { 'x-forwarded-for': ip }, payload: { iin: m.iin, phone: m.phone } });
      return { status: res.statusCode, body: res.json(), headers: res.headers };
    },
    async codeFor(phone, notBefore = 0) {
      let code = '';
      await waitFor(
        async () => {
          const res = await app.inject({ method: 'GET', url: `/api/v1/dev/sms?phone=${encodeURIComponent(phone)}` });
          const messages = (res.json() as { messages: Array<{ text: string }> }).messages;
          if (messages.length <= notBefore) return false;
          code = /(\d{6})/.exec(messages[0]!.text)?.[1] ?? '';
          return code !== '';
        },
        { timeoutMs: 10_000, message: 'an SMS in the outbox' },
      );
      return code;
    },
    async verify(challengeId, code, ip = '10.0.0.1') {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/verify',
        headers: { 'x-forwarded-for': ip, 'user-agent': 'auth-test/1.0' },
        payload: { challengeId, code },
      });
      return { status: res.statusCode, body: res.json() };
    },
    async login(m, ip = '10.0.0.1') {
      const before = (await app.inject({ method: 'GET', url: `/api/v1/dev/sms?phone=${encodeURIComponent(m.phone)}` })).json().messages.length as number;
      const res = await h.requestCode(m, ip);
      if (res.status !== 202) throw new Error(`code request answered ${res.status} ${JSON.stringify(res.body)}`);
      const code = await h.codeFor(m.phone, before);
      const v = await h.verify(res.body['challengeId'] as string, code, ip);
      if (v.status !== 200) throw new Error(`verify answered ${v.status} ${JSON.stringify(v.body)}`);
      return v.body['token'] as string;
    },
    async close() {
      await Promise.all(running.map((r) => r.close()));
      for (const c of connections) c.disconnect();
      await app.close();
      await tr.cleanup();
      await tdb.drop();
    },
  };
  return h;
}

/** Fails when any captured log line holds one of the secrets. */
export function expectNoSecrets(lines: string[], secrets: string[]): void {
  const leaks = secrets.filter((s) => s && lines.some((l) => l.includes(s)));
  if (leaks.length) throw new Error(`log lines hold ${leaks.length} secret value(s), e.g. ${leaks[0]!.slice(0, 3)}…`);
}
