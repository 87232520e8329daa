/**
 * Login storm: the 2020 opening hour, when 100,000+ members tried to sign in at once.
 * Every request is a different eligible member from its own address (a distinct
 * X-Forwarded-For; the gateway trusts loopback) asking POST /api/v1/auth/code. Reports
 * accepted (202) codes/s and latency, and checks the overload contract: no 5xx except
 * 503, and every 429/503 carries Retry-After. Afterwards it completes the login for a
 * sample of accepted members, reading their codes from the SMS outbox (GET /api/v1/dev/sms)
 * and calling /auth/verify. In the same run: a baseline, a bare Fastify endpoint that
 * validates the same body with the same zod rules; the summary gives our rate / baseline.
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/login-storm/index.ts \
 *     [--url http://127.0.0.1:8080] [--host vote.localhost] [--duration 15] [--connections 1000] \
 *     [--members 200000] [--reject-share 0] [--verify-sample 50] [--verify-timeout 60] \
 *     [--baseline-duration 5] [--no-baseline] [--spawn] [--label x]
 *
 * Members come from the stack's database (DATABASE_URL) — the register `pnpm seed` wrote to
 * .data/members.csv and imported. --spawn starts its own vote service and worker (own
 * REDIS_PREFIX, SMS_PROVIDER=outbox) and talks to the vote service directly.
 * Each member is used once per run: a run longer than the member list wraps around and
 * then meets the resend cooldown (429s, counted separately).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createDb } from '@primaries/db';
import { request } from '../../lib/http';
import { spawnBaseline } from '../../lib/spawn-baseline';
import { freePort, waitReady, stopChildren, trackChild } from '../../lib/processes';

const ROOT = path.join(__dirname, '..', '..', '..');
const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}` },
    host: { type: 'string', default: process.env.VOTE_HOST ?? 'vote.localhost' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '1000' },
    members: { type: 'string', default: '200000' },
    'reject-share': { type: 'string', default: '0' },
    'verify-sample': { type: 'string', default: '50' },
    'verify-timeout': { type: 'string', default: '60' },
    'baseline-duration': { type: 'string', default: '5' },
    'no-baseline': { type: 'boolean', default: false },
    spawn: { type: 'boolean', default: false },
    label: { type: 'string', default: '' },
  },
});

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/primaries';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = args.spawn ? `lt_login_${randomBytes(3).toString('hex')}` : (process.env.REDIS_PREFIX ?? 'primaries');
const log = (msg: string) => console.log(`[login-storm] ${msg}`);




/** The vote service and the worker as their own processes, on a prefix of their own. */
async function spawnStack(): Promise<string> {
  const [votePort, workerPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX,
    VOTE_PORT: String(votePort),
    WORKER_PORT: String(workerPort),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    SMS_PROVIDER: 'outbox',
  };
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  for (const [name, file] of [['vote', 'services/vote/src/server.ts'], ['worker', 'services/worker/src/main.ts']] as const) {
    const c = spawn(tsx, [path.join(ROOT, file)], { env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    c.on('exit', (code) => code && log(`${name} exited with ${code}`));
    trackChild(c);
  }
  const url = `http://127.0.0.1:${votePort}`;
  await waitReady(url, '127.0.0.1');
  await waitReady(`http://127.0.0.1:${workerPort}`, '127.0.0.1');
  return url;
}


interface Login {
  iin: string;
  phone: string;
  ip: string;
  body: string;
}

interface Tally {
  statuses: Record<string, number>;
  codes: Record<string, number>;
  bad5xx: number;
  missingRetryAfter: number;
  accepted: Array<{ login: number; challengeId: string }>;
}

function storm(opts: { url: string; host: string; logins: Login[]; connections: number; duration: number; sample: number }) {
  const tally: Tally = { statuses: {}, codes: {}, bad5xx: 0, missingRetryAfter: 0, accepted: [] };
  let next = 0;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: `${opts.url}/api/v1/auth/code`,
        connections: opts.connections,
        duration: opts.duration,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
              const i = next++ % opts.logins.length;
              const l = opts.logins[i]!;
              context['login'] = i;
              req['headers'] = { host: opts.host, 'content-type': 'application/json', 'x-forwarded-for': l.ip };
              req['body'] = l.body;
              return req;
            },
            onResponse: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => {
              tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
              if (status >= 500 && status !== 503) tally.bad5xx++;
              if (status === 202) {
                if (tally.accepted.length < opts.sample) tally.accepted.push({ login: context['login'] as number, challengeId: (JSON.parse(body) as { challengeId: string }).challengeId });
                return;
              }
              if (status === 429 || status === 503) {
                const ra = headers['retry-after'] ?? headers['Retry-After'];
                if (!ra || !(Number(ra) > 0)) tally.missingRetryAfter++;
              }
              try {
                const code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? `HTTP_${status}`;
                tally.codes[code] = (tally.codes[code] ?? 0) + 1;
              } catch {
                tally.codes[`HTTP_${status}`] = (tally.codes[`HTTP_${status}`] ?? 0) + 1;
              }
            },
          },
        ],
      } as unknown as autocannon.Options,
      (err, result) => (err ? reject(err as Error) : resolve(result)),
    );
  });
  return { tally, done };
}

/** Completes the login for accepted members: code from the outbox, then /auth/verify. */
async function verifySample(url: string, host: string, logins: Login[], accepted: Tally['accepted'], timeoutMs: number) {
  let ok = 0;
  let noCode = 0;
  const failed: Record<string, number> = {};
  const until = Date.now() + timeoutMs;
  await Promise.all(
    accepted.map(async ({ login, challengeId }) => {
      const l = logins[login]!;
      let code: string | undefined;
      while (!code && Date.now() < until) {
        const r = await request(`${url}/api/v1/dev/sms?phone=${encodeURIComponent(l.phone)}`, { headers: { host, 'x-forwarded-for': l.ip } });
        if (r.status === 200) code = /(\d{6})/.exec(r.json<{ messages: Array<{ text: string }> }>().messages[0]?.text ?? '')?.[1];
        if (!code) await new Promise((res) => setTimeout(res, 500));
      }
      if (!code) {
        noCode++;
        return;
      }
      const v = await request(`${url}/api/v1/auth/verify`, {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', 'x-forwarded-for': l.ip },
        body: JSON.stringify({ challengeId, code }),
      });
      if (v.status === 200) ok++;
      else {
        let c = `HTTP_${v.status}`;
        try {
          c = v.json<{ error?: { code?: string } }>().error?.code ?? c;
        } catch {
          // not JSON
        }
        failed[c] = (failed[c] ?? 0) + 1;
      }
    }),
  );
  return { tried: accepted.length, ok, noCode, failed };
}

async function main() {
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const rejectShare = Math.min(1, Math.max(0, Number(args['reject-share'])));
  const db = createDb({ url: DATABASE_URL, poolMax: 2, applicationName: 'loadtest-login-storm' });
  try {
    const target = args.spawn ? await spawnStack() : args.url;
    const host = args.spawn ? '127.0.0.1' : args.host;
    if (!args.spawn) {
      await waitReady(target, host, 5_000).catch(() => {
        throw new Error(`nothing ready at ${target} (Host ${host}); start the stack (pnpm start) or pass --spawn`);
      });
    }

    // Eligible members of the election the vote service authorizes for (open, else latest).
    const election = (
      await sql<{ id: number; freeze_date: string }>`
        select id, freeze_date::text from elections
        order by case when closed_at is null and opens_at <= now() and closes_at > now() then 0
                      when closed_at is null and opens_at > now() then 1 else 2 end, opens_at desc
        limit 1`.execute(db)
    ).rows[0];
    if (!election) throw new Error('no election in the database (pnpm seed)');
    const wanted = Number(args.members);
    const { rows: total } = await sql<{ n: string }>`select count(*) as n from members where status = 'active' and admitted_at < ${election.freeze_date}::date`.execute(db);
    const available = Number(total[0]?.n ?? 0);
    // A random window of the register, so back-to-back runs mostly meet fresh members.
    const offset = available > wanted ? Math.floor(Math.random() * (available - wanted)) : 0;
    const { rows: members } = await sql<{ iin: string; phone: string }>`
      select iin, phone from members where status = 'active' and admitted_at < ${election.freeze_date}::date
      order by id offset ${offset} limit ${wanted}`.execute(db);
    if (!members.length) throw new Error('no eligible members (pnpm seed)');
    const ipBase = Math.floor(Math.random() * 0xffffff);
    const logins: Login[] = members.map((m, i) => {
      const n = (ipBase + i) % 0xfffffe + 1;
      const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      // A share of requests with a wrong phone exercises the refusal path (same 403 as non-members).
      const phone = Math.random() < rejectShare ? `+7701${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` : m.phone;
      return { iin: m.iin, phone: m.phone, ip, body: JSON.stringify({ iin: m.iin, phone }) };
    });
    log(`${logins.length} eligible members loaded (of ${available}, offset ${offset}); election ${election.id}; target ${target} Host ${host}`);

    let baseline: autocannon.Result | null = null;
    if (!args['no-baseline']) {
      const b = await spawnBaseline('auth-code');
      const r = storm({ url: b.url, host: '127.0.0.1', logins, connections, duration: Number(args['baseline-duration']), sample: 0 });
      baseline = await r.done;
      await b.close();
      log(`baseline (bare Fastify + zod): ${Math.round(baseline.requests.average)} req/s, p50 ${baseline.latency.p50} ms, p99 ${baseline.latency.p99} ms`);
    }

    log(`storm: ${connections} connections for ${duration} s`);
    const s = storm({ url: target, host, logins, connections, duration, sample: Number(args['verify-sample']) });
    const result = await s.done;
    const accepted = s.tally.statuses['202'] ?? 0;
    const acceptedPerSec = accepted / duration;

    log(`verifying ${s.tally.accepted.length} accepted logins via the outbox`);
    const verify = s.tally.accepted.length ? await verifySample(target, host, logins, s.tally.accepted, Number(args['verify-timeout']) * 1000) : null;

    const summary = {
      scenario: 'login-storm',
      label: args.label,
      at: new Date().toISOString(),
      target,
      host,
      connections,
      durationSeconds: duration,
      members: logins.length,
      rejectShare,
      requests: { total: result.requests.total, perSecond: Math.round(result.requests.average), errors: result.errors, timeouts: result.timeouts },
      acceptedPerSecond: Math.round(acceptedPerSec),
      statuses: s.tally.statuses,
      errorCodes: s.tally.codes,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      contract: { non503ServerErrors: s.tally.bad5xx, throttledWithoutRetryAfter: s.tally.missingRetryAfter },
      verify,
      baseline: baseline
        ? { perSecond: Math.round(baseline.requests.average), p50: baseline.latency.p50, p99: baseline.latency.p99, ratio: +(acceptedPerSec / baseline.requests.average).toFixed(3) }
        : null,
    };
    const dir = path.join(ROOT, 'loadtest', 'results');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `login-storm${args.label ? `-${args.label}` : ''}-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(summary, null, 2));

    const ok = s.tally.bad5xx === 0 && s.tally.missingRetryAfter === 0 && (!verify || verify.ok === verify.tried);
    console.log('');
    console.log(`login storm — ${connections} connections, ${duration} s, ${logins.length} members`);
    console.log(`  code requests      ${summary.requests.perSecond} req/s (${summary.requests.total} total, ${result.errors} socket errors, ${result.timeouts} timeouts)`);
    console.log(`  accepted (202)     ${summary.acceptedPerSecond} codes/s   latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
    console.log(`  statuses           ${JSON.stringify(s.tally.statuses)}  ${JSON.stringify(s.tally.codes)}`);
    if (summary.baseline) console.log(`  baseline           ${summary.baseline.perSecond} req/s bare → accepted/baseline ${summary.baseline.ratio}`);
    console.log(`  overload contract  5xx other than 503: ${s.tally.bad5xx}; 429/503 without Retry-After: ${s.tally.missingRetryAfter}`);
    if (verify) console.log(`  verify sample      ${verify.ok}/${verify.tried} signed in (${verify.noCode} codes not seen in time) ${JSON.stringify(verify.failed)}`);
    console.log(`  ${ok ? 'PASS' : 'FAIL'}  → ${path.relative(ROOT, file)}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await db.destroy();
    if (args.spawn) {
      stopChildren();
      await new Promise((r) => setTimeout(r, 1500));
      await cleanupPrefix();
    }
  }
}

/** With --spawn, the run's own Redis prefix (outbox, challenges, queue) is deleted afterwards. */
async function cleanupPrefix() {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
