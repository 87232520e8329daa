import path from 'node:path';
import { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { type Database, createDb, migrateToLatest } from '@primaries/db';
import { type OwnPostgres, type OwnRedis, type SmallElection, createSmallElection, freePort, startOwnPostgres, startOwnRedis } from '@primaries/testing';
import { type RunningServices, instancePort, serviceCommand, superviseServices } from '@primaries/cli/stack';
import { makeIin } from '@primaries/domain/iin';
import { readVoteBacklog } from '@primaries/redis-protocols';
import { CLAIM_TIMEOUT_SECONDS, VOTE_HOST, httpGet, until } from './harness';

/**
 * The fault suite's stack with several instances of a service (issue #17), as
 * `pnpm start --scale` runs it: a Postgres cluster and a redis-server of its own, one
 * gateway, and `scale` instances each of vote, results and worker under the supervisor,
 * instance i on the service's port + 100·i, the gateway given each site's list.
 */

const ROOT = path.join(__dirname, '..');
const SCALED_PREFIX = 'faults';
type Service = 'gateway' | 'vote' | 'results' | 'worker';
const ENTRIES: Record<Service, string> = {
  gateway: 'services/gateway/src/server.ts',
  vote: 'services/vote/src/server.ts',
  results: 'services/results/src/server.ts',
  worker: 'services/worker/src/main.ts',
};

export interface ScaledStack {
  pg: OwnPostgres;
  redis: OwnRedis;
  db: Kysely<Database>;
  admin: Redis;
  el: SmallElection;
  gatewayUrl: string;
  /** Each service's instances' ports; instance names are `vote-1`, `vote-2` … */
  ports: Record<Service, number[]>;
  services: RunningServices;
  pid(instance: string): number | undefined;
  tail(instance: string, n?: number): string[];
  /** Resolves once the instance answers /ready (the gateway: /_gateway/ready). */
  ready(instance: string, timeoutMs?: number): Promise<void>;
  /** GET one of the gateway's own /_gateway/… paths. */
  gatewayJson<T>(path: string): Promise<T>;
  /** Online participation rows in Postgres. */
  recorded(): Promise<number>;
  /** Vote batches in BullMQ not yet finished. */
  queuedBatches(): Promise<number>;
  /** The votes backlog counter. */
  backlog(): Promise<number>;
  close(): Promise<void>;
}

export async function startScaledStack(scale: number, extraEnv: Record<string, string> = {}): Promise<ScaledStack> {
  const [ownPg, ownRedis] = await Promise.all([startOwnPostgres(), startOwnRedis({ config: path.join(ROOT, 'infra/redis/redis.conf') })]);
  const c = new pg.Client({ connectionString: ownPg.url() });
  await c.connect();
  await c.query('create database primaries');
  await c.end();
  const databaseUrl = ownPg.url('primaries');
  const db = createDb({ url: databaseUrl, poolMax: 4, applicationName: 'faults-scale' });
  await migrateToLatest(db);
  const el = await createSmallElection(db);
  const admin = new Redis(ownRedis.url, { maxRetriesPerRequest: 1 });
  admin.on('error', () => {});

  const base = { gateway: await freePort(), vote: await freePort(), results: await freePort(), worker: await freePort() };
  const ports: Record<Service, number[]> = {
    gateway: [base.gateway],
    vote: Array.from({ length: scale }, (_, i) => instancePort(base.vote, i)),
    results: Array.from({ length: scale }, (_, i) => instancePort(base.results, i)),
    worker: Array.from({ length: scale }, (_, i) => instancePort(base.worker, i)),
  };
  const list = (ps: number[]) => ps.map((p) => `http://127.0.0.1:${p}`).join(',');
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: ownRedis.url,
    REDIS_PREFIX: SCALED_PREFIX,
    GATEWAY_PORT: String(base.gateway),
    GATEWAY_BIND: '127.0.0.1',
    VOTE_UPSTREAM: list(ports.vote),
    RESULTS_UPSTREAM: list(ports.results),
    GATEWAY_UPSTREAM_PROBE_INTERVAL_MS: '500',
    VOTE_HOST,
    // The load's voters each come from an address of their own (X-Forwarded-For from loopback).
    TRUSTED_PROXIES: '127.0.0.1/32',
    SMS_PROVIDER: 'outbox',
    RESULTS_REFRESH_SECONDS: '5',
    // A claim left by a killed vote service is released soon, as in the fault suite (harness.ts).
    VOTE_CLAIM_TIMEOUT_SECONDS: String(CLAIM_TIMEOUT_SECONDS),
    ...extraEnv,
  };
  const instances = (Object.keys(ports) as Service[]).flatMap((service) =>
    ports[service].map((port, i) => ({ service, port, name: service === 'gateway' ? 'gateway' : `${service}-${i + 1}` })));
  const lines = new Map<string, string[]>(instances.map((i) => [i.name, []]));
  const services = superviseServices(
    instances.map((i) => ({ name: i.name, command: serviceCommand(ENTRIES[i.service]), color: 'cyan', env: { ...env, [`${i.service.toUpperCase()}_PORT`]: String(i.port) }, cwd: ROOT })),
    {
      forceAfterMs: 20_000,
      log: (msg) => {
        for (const l of lines.values()) l.push(`[supervisor] ${msg}`);
      },
      output: (name, line) => {
        const l = lines.get(name)!;
        l.push(line);
        if (l.length > 400) l.splice(0, l.length - 200);
      },
    },
  );
  const portOf = (name: string) => instances.find((i) => i.name === name)!.port;
  const gatewayUrl = `http://127.0.0.1:${base.gateway}`;
  return {
    pg: ownPg,
    redis: ownRedis,
    db,
    admin,
    el,
    gatewayUrl,
    ports,
    services,
    pid: (name) => services.pids()[name],
    tail: (name, n = 30) => (lines.get(name) ?? []).slice(-n),
    async ready(name, timeoutMs = 90_000) {
      const url = name === 'gateway' ? `${gatewayUrl}/_gateway/ready` : `http://127.0.0.1:${portOf(name)}/ready`;
      await until(`${name} /ready`, async () => (await httpGet(url)) === 200, timeoutMs, 250);
    },
    async gatewayJson<T>(p: string) {
      const res = await fetch(`${gatewayUrl}${p}`);
      return (await res.json()) as T;
    },
    async recorded() {
      const { rows } = await sql<{ n: string }>`select count(*) n from participation where channel = 'online'`.execute(db);
      return Number(rows[0]!.n);
    },
    backlog: () => readVoteBacklog(admin, SCALED_PREFIX),
    async queuedBatches() {
      const q = `${SCALED_PREFIX}:bull:votes`;
      const [wait, active, delayed, prioritized] = await Promise.all([admin.llen(`${q}:wait`), admin.llen(`${q}:active`), admin.zcard(`${q}:delayed`), admin.zcard(`${q}:prioritized`)]);
      return wait + active + delayed + prioritized;
    },
    async close() {
      services.stop();
      await services.finished;
      admin.disconnect();
      await db.destroy();
      await Promise.all([ownPg.destroy(), ownRedis.destroy()]);
    },
  };
}

let authSerial = 0;

/** Members who sign in for real (valid IINs and phones, new on every call), for the auth checks. */
export async function authMembers(stack: ScaledStack, n: number): Promise<Array<{ iin: string; phone: string }>> {
  const out: Array<{ iin: string; phone: string }> = [];
  while (out.length < n) {
    const k = authSerial++;
    const iin = makeIin(`1971-0${1 + (k % 9)}-1${k % 10}`, k % 2 ? 'F' : 'M', 5000 + k);
    if (!iin) continue;
    const phone = `+7702${String(1_000_000 + k).padStart(7, '0')}`;
    await stack.db.insertInto('members').values({
      iin, phone, full_name: `Auth ${out.length}`, gender: k % 2 ? 'F' : 'M', birth_date: '1971-01-01',
      region_id: stack.el.regionIds[0]!, district_id: stack.el.districtIds[0]!, primary_org: 'PO', admitted_at: '2015-05-05',
    }).execute();
    out.push({ iin, phone });
  }
  return out;
}
