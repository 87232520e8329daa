import http from 'node:http';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { type Database, createDb, migrateToLatest } from '@primaries/db';
import { claimSweepIntervalMs, readVoteBacklog, issueToken } from '@primaries/redis-protocols';
import { type OwnPostgres, type OwnRedis, type SmallElection, createSmallElection, freePort, startOwnPostgres, startOwnRedis } from '@primaries/testing';
import { type RunningServices, serviceCommand, superviseServices } from '@primaries/cli/stack';
import { hashReceipt } from '@primaries/vote/receipt';

/**
 * The fault suite's stack: a Postgres cluster and a redis-server of its own (append-only,
 * infra/redis/redis.conf) that it stops and starts, and the gateway, vote service and worker
 * as real processes under `pnpm start`'s supervisor (a killed service comes back after a
 * back-off), with signed-in voters casting ballots through the gateway.
 */

const ROOT = path.join(__dirname, '..');
export const VOTE_HOST = 'vote.localhost';
const PREFIX = 'faults';
/** The suite's VOTE_CLAIM_TIMEOUT_SECONDS: small, so voters held back by a dead vote service's claim vote again soon. */
export const CLAIM_TIMEOUT_SECONDS = 3;
type ServiceName = 'gateway' | 'vote' | 'worker';

export interface FaultStack {
  pg: OwnPostgres;
  redis: OwnRedis;
  db: Kysely<Database>;
  admin: Redis;
  el: SmallElection;
  gatewayUrl: string;
  ports: Record<ServiceName, number>;
  services: RunningServices;
  /** The last lines each service wrote (for a failure message). */
  tail(name: ServiceName, n?: number): string[];
  pid(name: ServiceName): number | undefined;
  /** Resolves once the service answers /ready (the gateway: /_gateway/ready). */
  ready(name: ServiceName, timeoutMs?: number): Promise<void>;
  backlog(): Promise<number>;
  /** Vote batches the worker is recording right now (BullMQ's active list). */
  activeBatches(): Promise<number>;
  /** Vote batches in BullMQ not yet finished (waiting, active, delayed, prioritized). */
  queuedBatches(): Promise<number>;
  /** SIGSTOP / SIGCONT a service's process group. */
  pause(name: ServiceName): void;
  resume(name: ServiceName): void;
  /** Online participation rows in Postgres (one per member and contest voted). */
  recorded(): Promise<number>;
  close(): Promise<void>;
}

export function httpGet(url: string, host?: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: host ? { host } : {}, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 200): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export async function startFaultStack(): Promise<FaultStack> {
  const [ownPg, ownRedis] = await Promise.all([startOwnPostgres(), startOwnRedis({ config: path.join(ROOT, 'infra/redis/redis.conf') })]);
  const c = new pg.Client({ connectionString: ownPg.url() });
  await c.connect();
  await c.query('create database primaries');
  await c.end();
  const databaseUrl = ownPg.url('primaries');
  const db = createDb({ url: databaseUrl, poolMax: 4, applicationName: 'faults' });
  await migrateToLatest(db);
  const el = await createSmallElection(db);
  const admin = new Redis(ownRedis.url, { maxRetriesPerRequest: 1 });
  admin.on('error', () => {});

  const ports = { gateway: await freePort(), vote: await freePort(), worker: await freePort(), results: await freePort() };
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: ownRedis.url,
    REDIS_PREFIX: PREFIX,
    GATEWAY_PORT: String(ports.gateway),
    GATEWAY_BIND: '127.0.0.1',
    VOTE_PORT: String(ports.vote),
    WORKER_PORT: String(ports.worker),
    RESULTS_PORT: String(ports.results),
    VOTE_UPSTREAM: `http://127.0.0.1:${ports.vote}`,
    RESULTS_UPSTREAM: `http://127.0.0.1:${ports.results}`,
    VOTE_HOST,
    // The load's voters each come from an address of their own (X-Forwarded-For from loopback).
    TRUSTED_PROXIES: '127.0.0.1/32',
    SMS_PROVIDER: 'outbox',
    // A claim left by a killed vote service is released after this (docs/operations.md), so settle() can wait it out.
    VOTE_CLAIM_TIMEOUT_SECONDS: String(CLAIM_TIMEOUT_SECONDS),
  };
  const lines: Record<string, string[]> = { gateway: [], vote: [], worker: [] };
  const entries: Record<ServiceName, string> = { gateway: 'services/gateway/src/server.ts', vote: 'services/vote/src/server.ts', worker: 'services/worker/src/main.ts' };
  const services = superviseServices(
    (Object.keys(entries) as ServiceName[]).map((name) => ({ name, command: serviceCommand(entries[name]), color: 'cyan', env, cwd: ROOT })),
    {
      forceAfterMs: 20_000,
      log: (msg) => {
        for (const l of Object.values(lines)) l.push(`[supervisor] ${msg}`);
      },
      output: (name, line) => {
        const l = lines[name]!;
        l.push(line);
        if (l.length > 400) l.splice(0, l.length - 200);
      },
    },
  );
  const pids = () => services.pids() as Record<ServiceName, number | undefined>;
  const stack: FaultStack = {
    pg: ownPg,
    redis: ownRedis,
    db,
    admin,
    el,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    ports,
    services,
    tail: (name, n = 30) => lines[name]!.slice(-n),
    pid: (name) => pids()[name],
    async ready(name, timeoutMs = 90_000) {
      const url = name === 'gateway' ? `http://127.0.0.1:${ports.gateway}/_gateway/ready` : `http://127.0.0.1:${ports[name]}/ready`;
      await until(`${name} /ready`, async () => (await httpGet(url)) === 200, timeoutMs, 250);
    },
    backlog: () => readVoteBacklog(admin, PREFIX),
    activeBatches: () => admin.llen(`${PREFIX}:bull:votes:active`),
    async queuedBatches() {
      const q = `${PREFIX}:bull:votes`;
      const [wait, active, delayed, prioritized] = await Promise.all([admin.llen(`${q}:wait`), admin.llen(`${q}:active`), admin.zcard(`${q}:delayed`), admin.zcard(`${q}:prioritized`)]);
      return wait + active + delayed + prioritized;
    },
    pause(name) {
      process.kill(-pids()[name]!, 'SIGSTOP');
    },
    resume(name) {
      process.kill(-pids()[name]!, 'SIGCONT');
    },
    async recorded() {
      const { rows } = await sql<{ n: string }>`select count(*) n from participation where channel = 'online'`.execute(db);
      return Number(rows[0]!.n);
    },
    async close() {
      services.stop();
      await services.finished;
      admin.disconnect();
      await db.destroy();
      await Promise.all([ownPg.destroy(), ownRedis.destroy()]);
    },
  };
  return stack;
}

export interface Voter {
  memberId: string;
  ip: string;
  token: string;
  body: string;
  contests: number;
}

/** `n` members spread over the election's four districts, each signed in (a token in the real token store, with the place sign-in records). */
export async function signedInVoters(stack: Pick<FaultStack, 'el' | 'db' | 'admin'>, n: number): Promise<Voter[]> {
  const { el, db, admin } = stack;
  const places = [0, 1].flatMap((r) => [0, 1].map((d) => ({ r, d, regionId: el.regionIds[r]!, districtId: el.districtIds[r * 2 + d]! })));
  const { rows } = await sql<{ id: string; k: number }>`
    insert into members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at)
    select lpad(i::text, 12, '0'), '+7701' || lpad(i::text, 7, '0'), 'Member ' || i, 'F', date '1970-01-01',
           (${sql.val(places.map((p) => p.regionId))}::int[])[1 + i % 4], (${sql.val(places.map((p) => p.districtId))}::int[])[1 + i % 4], 'PO', date '2015-05-05'
    from generate_series(1, ${n}) i
    returning id, (iin::bigint % 4)::int as k`.execute(db);
  const voters: Voter[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    voters.push(...(await Promise.all(part.map(async (row, j) => {
      const p = places[row.k]!;
      const n1 = i + j;
      const ip = `10.${(n1 >> 16) & 255}.${(n1 >> 8) & 255}.${n1 & 255}`;
      const { token } = await issueToken(admin, PREFIX, { memberId: String(row.id), electionId: el.electionId, ip, place: { regionId: p.regionId, districtId: p.districtId } }, 4 * 3600);
      const contests = [el.contests.national, el.contests.region[p.r]!, el.contests.district[p.r * 2 + p.d]!];
      const body = JSON.stringify({ selections: contests.map((contestId) => ({ contestId, candidateIds: [el.candidates[contestId]![0]!] })) });
      return { memberId: String(row.id), ip, token, body, contests: contests.length };
    }))));
  }
  return voters;
}

/** What one answer was: `202`, `503+Retry-After`, `503` (without), another status, or a transport error. */
export type Outcome = string;

/**
 * A steady voting load through the gateway: `concurrency` loops, each casting one voter's
 * ballot at a time. A 503 or a transport error puts the voter back to try again later (a
 * retry is safe: a claim whose batch was not queued is undone, by the vote route or, its
 * vote service killed, by the worker's sweep); a 202 takes its receipts.
 */
export class VotingLoad {
  phase = 'warm-up';
  readonly answers = new Map<string, Map<Outcome, number>>();
  readonly acked = new Map<string, string[]>();
  /**
   * Voters whose attempt got no 202 but whose vote was recorded: retried, they are refused as
   * having voted (409). By member id: the phase of the attempt whose answer was lost.
   */
  readonly lostAnswers = new Map<string, string>();
  /** Voters answered something else than 202 and not yet answered 202 or 409: member id → voter and the phase of that answer. */
  private readonly unanswered = new Map<string, { voter: Voter; phase: string }>();
  lastAckAt = 0;
  /** Requests sent and not yet answered. */
  inFlight = 0;
  private queue: Voter[];
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly stack: Pick<FaultStack, 'gatewayUrl'>, voters: Voter[], private readonly opts: { concurrency: number; pauseMs: number }) {
    this.queue = [...voters];
  }

  remaining(): number {
    return this.queue.length;
  }

  count(phase: string, outcome: Outcome): void {
    let m = this.answers.get(phase);
    if (!m) this.answers.set(phase, (m = new Map()));
    m.set(outcome, (m.get(outcome) ?? 0) + 1);
  }

  start(): void {
    for (let i = 0; i < this.opts.concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const v = this.queue.shift();
      if (!v) return;
      const retried = await this.attempt(v);
      if (retried) {
        // Back to the queue; tried again after the others waiting.
        this.queue.push(v);
        await sleep(200);
      }
      if (this.opts.pauseMs) await sleep(this.opts.pauseMs);
    }
  }

  /** Casts one voter's ballot and counts the answer; true when the voter must try again. */
  private async attempt(v: Voter, phaseOverride?: string): Promise<boolean> {
    this.inFlight += 1;
    const a = await this.cast(v);
    this.inFlight -= 1;
    // Counted in the phase the answer came in (an answer during the fault is the fault's).
    const phase = phaseOverride ?? this.phase;
    const earlier = this.unanswered.get(v.memberId);
    if (a.status === 202) {
      this.count(phase, '202');
      this.acked.set(v.memberId, (JSON.parse(a.body) as { receipts: Array<{ receipt: string }> }).receipts.map((r) => r.receipt));
      this.unanswered.delete(v.memberId);
      this.lastAckAt = Date.now();
      return false;
    }
    if (a.status === 409 && earlier) {
      this.count(phase, '409 (answer lost earlier)');
      this.lostAnswers.set(v.memberId, earlier.phase);
      this.unanswered.delete(v.memberId);
      return false;
    }
    const outcome = a.status === 503 ? (a.retryAfter ? '503+Retry-After' : '503 without Retry-After') : a.status ? `${a.status} ${a.code ?? ''}`.trim() : `error ${a.error}`;
    this.count(phase, outcome);
    this.unanswered.set(v.memberId, { voter: v, phase });
    return true;
  }

  /**
   * After stop(): every voter told to come back (503, a transport error) and not yet
   * answered tries again once the worker's sweep has released the claims a killed vote
   * service left (VOTE_CLAIM_TIMEOUT_SECONDS and a sweep interval), until each is answered
   * 202, or 409 when a vote recorded although its answer was lost shows as such.
   */
  async settle(phase = 'settling', rounds = 5): Promise<void> {
    for (let round = 0; round < rounds && this.unanswered.size > 0; round++) {
      await sleep(CLAIM_TIMEOUT_SECONDS * 1000 + claimSweepIntervalMs(CLAIM_TIMEOUT_SECONDS) + 1000);
      for (const { voter } of [...this.unanswered.values()]) await this.attempt(voter, phase);
    }
    this.agent.destroy();
  }

  /** Voters told to come back who never got an answer (202 or 409). */
  unansweredCount(): number {
    return this.unanswered.size;
  }

  private cast(v: Voter): Promise<{ status: number; body: string; retryAfter: boolean; code?: string; error?: string }> {
    return new Promise((resolve) => {
      const req = http.request(`${this.stack.gatewayUrl}/api/v1/votes`, {
        method: 'POST',
        agent: this.agent,
        timeout: 30_000,
        headers: { host: VOTE_HOST, 'content-type': 'application/json', authorization: `Bearer ${v.token}`, 'x-forwarded-for': v.ip },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
          } catch {
            code = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'] !== undefined, ...(code ? { code } : {}) });
        });
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: '', retryAfter: false, error: err.code ?? err.message }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: '', retryAfter: false, error: err.code ?? err.message }));
      req.end(v.body);
    });
  }

  /** Contest votes acknowledged so far. */
  ackedVotes(): number {
    let n = 0;
    for (const r of this.acked.values()) n += r.length;
    return n;
  }
}

/** Every acknowledged receipt in Postgres exactly once, and every recorded ballot one participation row: the counts that do not match. */
export async function exactlyOnce(stack: Pick<FaultStack, 'db'>, load: VotingLoad) {
  const hashes = [...load.acked.values()].flat().map(hashReceipt);
  let found = 0;
  for (let i = 0; i < hashes.length; i += 5000) {
    const part = hashes.slice(i, i + 5000);
    const { rows } = await sql<{ n: string }>`select count(*) n from receipts where receipt_hash = any(array(select decode(x, 'hex') from unnest(${part}::text[]) x))`.execute(stack.db);
    found += Number(rows[0]!.n);
  }
  const members = [...load.acked.keys()];
  let incomplete = 0;
  for (let i = 0; i < members.length; i += 5000) {
    const part = members.slice(i, i + 5000);
    const { rows } = await sql<{ n: string }>`
      select count(*) n from (select m from unnest(${part}::bigint[]) m
        left join participation p on p.member_id = m and p.channel = 'online' group by m having count(p.contest_id) <> 3) x`.execute(stack.db);
    incomplete += Number(rows[0]!.n);
  }
  const { rows } = await sql<{ ballots: string; participation: string }>`
    select (select count(*) from ballots) + (select count(*) from sealed_ballots) ballots,
           (select count(*) from participation where channel = 'online') participation`.execute(stack.db);
  // Who has votes recorded: the acknowledged voters, and some whose answer was lost; nobody else.
  const recorded = await sql<{ member_id: string }>`select distinct member_id::text from participation where channel = 'online'`.execute(stack.db);
  const recordedMembers = new Set(recorded.rows.map((r) => r.member_id));
  const lost = [...load.lostAnswers.keys()];
  return {
    acknowledged: hashes.length,
    receiptsMissing: hashes.length - found,
    membersWithoutAllContests: incomplete,
    ballots: Number(rows[0]!.ballots),
    participation: Number(rows[0]!.participation),
    recordedWithoutAttempt: [...recordedMembers].filter((m) => !load.acked.has(m) && !load.lostAnswers.has(m)).length,
    lostAnswersRecorded: lost.filter((m) => recordedMembers.has(m)).length,
    lostAnswersNotRecorded: lost.filter((m) => !recordedMembers.has(m)).length,
  };
}
