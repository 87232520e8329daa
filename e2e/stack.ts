import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeIin } from '@primaries/domain';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis, freePort, waitFor } from '@primaries/testing';

const ROOT = path.join(__dirname, '..');
export const ARTIFACTS = path.join(ROOT, 'artifacts');

export interface Member {
  id: string;
  iin: string;
  /** E.164. */
  phone: string;
  region: number;
  district: number;
}

/** The real stack on free ports: gateway, vote, results and worker processes, own database and Redis prefix. */
export interface Stack {
  tdb: TestDatabase;
  tr: TestRedis;
  el: SmallElection;
  /** Through the gateway, as a browser reaches them (`*.localhost` is loopback in Chromium). */
  voteUrl: string;
  resultsUrl: string;
  /** The vote service itself (the SMS outbox for demos and tests). */
  voteDirect: string;
  /** The officials' site through the gateway (ADMIN_HOST); only when started with `{ admin: true }`. */
  adminUrl: string;
  addMember(region?: number, district?: number): Promise<Member>;
  /** The newest one-time code the outbox holds for this phone, newer than `after` messages. */
  codeFor(phone: string, after?: number): Promise<string>;
  smsCount(phone: string): Promise<number>;
  stop(): Promise<void>;
}

const SERVICES = {
  gateway: 'services/gateway/src/server.ts',
  vote: 'services/vote/src/server.ts',
  results: 'services/results/src/server.ts',
  worker: 'services/worker/src/main.ts',
} as const;

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/**
 * Starts the four processes as `pnpm start` would, with settings for a quick test; with
 * `admin`, the officials' site as a fifth behind the gateway on `admin.localhost`.
 */
export async function startStack(label: string, env: Record<string, string> = {}, opts: { admin?: boolean } = {}): Promise<Stack> {
  const tdb = await createTestDatabase(label);
  const tr = await createTestRedis(label);
  const el = await createSmallElection(tdb.db, { maxChoices: 2 });
  const ports = { gateway: await freePort(), vote: await freePort(), results: await freePort(), worker: await freePort(), admin: await freePort() };
  const logs = path.join(ARTIFACTS, 'e2e-logs');
  mkdirSync(logs, { recursive: true });
  const common: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: tdb.url,
    REDIS_URL: tr.url,
    REDIS_PREFIX: tr.prefix,
    GATEWAY_PORT: String(ports.gateway),
    GATEWAY_BIND: '127.0.0.1',
    VOTE_PORT: String(ports.vote),
    RESULTS_PORT: String(ports.results),
    WORKER_PORT: String(ports.worker),
    VOTE_UPSTREAM: `http://127.0.0.1:${ports.vote}`,
    RESULTS_UPSTREAM: `http://127.0.0.1:${ports.results}`,
    SMS_PROVIDER: 'outbox',
    AUTH_RESEND_SECONDS: '3',
    RATE_LIMIT_VOTE_MAX: '2000',
    RESULTS_REFRESH_SECONDS: '2',
    RESULTS_POLL_SECONDS: '1',
    HOTLINE_PHONE: '+7 717 255 55 55',
    RESULTS_URL: `http://localhost:${ports.gateway}/`,
    VOTE_URL: `http://vote.localhost:${ports.gateway}/`,
    ADMIN_PORT: String(ports.admin),
    ADMIN_UPSTREAM: `http://127.0.0.1:${ports.admin}`,
    ADMIN_PUBLIC_URL: `http://admin.localhost:${ports.gateway}/`,
    ...env,
  };
  const loader = pathToFileURL(require.resolve('tsx')).href;
  const children: ChildProcess[] = [];
  const services: Record<string, string> = { ...SERVICES, ...(opts.admin ? { admin: 'services/admin/src/server.ts' } : {}) };
  for (const [name, entry] of Object.entries(services)) {
    const child = spawn(process.execPath, ['--import', loader, entry], { cwd: ROOT, env: common, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(path.join(logs, `${label}-${name}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.push(child);
  }
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            const force = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await tr.cleanup();
    await tdb.drop();
  };
  try {
    await waitFor(async () => (await Promise.all([
      healthy(`http://127.0.0.1:${ports.gateway}/_gateway/health`),
      healthy(`http://127.0.0.1:${ports.vote}/health`),
      healthy(`http://127.0.0.1:${ports.results}/health`),
      healthy(`http://127.0.0.1:${ports.worker}/health`),
      opts.admin ? healthy(`http://127.0.0.1:${ports.admin}/health`) : true,
    ])).every(Boolean), { timeoutMs: 60_000, intervalMs: 250, message: 'the stack to start' });
  } catch (err) {
    await stop();
    throw err;
  }
  const voteDirect = `http://127.0.0.1:${ports.vote}`;
  const outbox = async (phone: string) =>
    ((await (await fetch(`${voteDirect}/api/v1/dev/sms?phone=${encodeURIComponent(phone)}`)).json()) as { messages: Array<{ text: string }> }).messages;
  let serial = 0;
  return {
    tdb,
    tr,
    el,
    voteUrl: `http://vote.localhost:${ports.gateway}`,
    resultsUrl: `http://localhost:${ports.gateway}`,
    voteDirect,
    adminUrl: `http://admin.localhost:${ports.gateway}`,
    async addMember(region = 0, district = 0) {
      let iin: string | null = null;
      while (!iin) iin = makeIin('1985-04-12', serial % 2 ? 'F' : 'M', 1000 + serial++);
      const phone = `+77017${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      const row = await tdb.db
        .insertInto('members')
        .values({ iin, phone, full_name: 'E2E Member', gender: 'M', birth_date: '1985-04-12', region_id: el.regionIds[region]!, district_id: el.districtIds[region * 2 + district]!, primary_org: 'e2e', admitted_at: '2020-01-01' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: String(row.id), iin, phone, region, district };
    },
    async codeFor(phone, after = 0) {
      let code = '';
      await waitFor(
        async () => {
          const messages = await outbox(phone);
          if (messages.length <= after) return false;
          code = messages.map((m) => /код (\d{6})/.exec(m.text)?.[1]).find(Boolean) ?? '';
          return code !== '';
        },
        { timeoutMs: 20_000, message: `a code for ${phone}` },
      );
      return code;
    },
    async smsCount(phone) {
      return (await outbox(phone)).length;
    },
    stop,
  };
}
