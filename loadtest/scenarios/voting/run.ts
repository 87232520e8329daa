/**
 * Voting load: N pre-authorized voters each cast their whole ballot once, through the
 * gateway (Host: VOTE_HOST, a distinct X-Forwarded-For per voter) or straight at a vote
 * service this script starts (--spawn). Tokens are issued directly in the real token store
 * (issueToken); each voter's ballot is fetched before the timed part. Reports accepted
 * ballots/s, p50/p99, the queue backlog over time, how long until every accepted vote is
 * in Postgres, and checks every 202 receipt is there exactly once with no extra ballots.
 * In the same run: a baseline, a bare Fastify endpoint in a process of its own validating the same body
 * with the same zod schema; the summary gives our rate / baseline.
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/voting/run.ts \
 *     [--voters 20000] [--connections 1000] [--duration 120] [--spawn [--direct]] \
 *     [--url http://127.0.0.1:8080] [--host vote.localhost] [--election <id>] \
 *     [--baseline-duration 5] [--no-baseline] [--drain-timeout 300] [--max-marks 3] [--label x]
 *
 * Reads DATABASE_URL, REDIS_URL, REDIS_PREFIX (the stack's; --spawn picks its own prefix).
 * --spawn starts vote, worker and gateway processes on free ports (--direct: no gateway).
 * `--voters 835000` is the 2020 "everyone at once" mode: all persisted within 5 minutes?
 * --duration caps the timed part (seconds); the run also ends when every voter has voted.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import http from 'node:http';
import { spawnBaseline } from '../../lib/spawn-baseline';
import { createDb } from '@primaries/db';
import { voteBacklogKey } from '@primaries/redis-protocols';
import { issueToken } from '@primaries/redis-protocols';
import { hashReceipt } from '@primaries/vote/receipt';
import { freePort, waitReady, stopChildren, trackChild, childrenExited } from '../../lib/processes';

const ROOT = path.join(__dirname, '..', '..', '..');
const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}` },
    host: { type: 'string', default: process.env.VOTE_HOST ?? 'vote.localhost' },
    voters: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '120' },
    spawn: { type: 'boolean', default: false },
    /** With --spawn: target the vote service directly instead of a spawned gateway. */
    direct: { type: 'boolean', default: false },
    election: { type: 'string' },
    'baseline-duration': { type: 'string', default: '5' },
    'no-baseline': { type: 'boolean', default: false },
    'drain-timeout': { type: 'string', default: '300' },
    'max-marks': { type: 'string', default: '3' },
    'fetch-connections': { type: 'string', default: '100' },
    /** all: every voter fetches their own ballot; per-place: one fetch per (region, district), for --voters 835000. */
    fetch: { type: 'string', default: 'all' },
    label: { type: 'string', default: '' },
  },
});

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/primaries';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// LT_REDIS_PREFIX: a wrapper that runs its own load beside this one on the same Redis keys (paper-checkins/run.ts).
const REDIS_PREFIX = args.spawn ? (process.env.LT_REDIS_PREFIX ?? `lt_voting_${randomBytes(3).toString('hex')}`) : (process.env.REDIS_PREFIX ?? 'primaries');
const log = (msg: string) => console.log(`[voting] ${msg}`);




/**
 * Starts the vote service, the worker and (unless --direct) the gateway as their own
 * processes, as in production. Returns the URL and Host header to target.
 */
async function spawnStack(): Promise<{ url: string; host: string }> {
  const [votePort, workerPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  const voteUrl = `http://127.0.0.1:${votePort}`;
  const env = {
    ...process.env,
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX,
    VOTE_PORT: String(votePort),
    WORKER_PORT: String(workerPort),
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_BIND: '127.0.0.1',
    VOTE_UPSTREAM: voteUrl,
    VOTE_HOST: args.host,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const procs: Array<[string, string]> = [['vote', 'services/vote/src/server.ts'], ['worker', 'services/worker/src/main.ts']];
  if (!args.direct) procs.push(['gateway', 'services/gateway/src/server.ts']);
  for (const [name, file] of procs) {
    const c = spawn(tsx, [path.join(ROOT, file)], { env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    c.on('exit', (code) => code && log(`${name} exited with ${code}`));
    trackChild(c);
  }
  await waitReady(voteUrl, '127.0.0.1');
  await waitReady(`http://127.0.0.1:${workerPort}`, '127.0.0.1');
  if (args.direct) return { url: voteUrl, host: '127.0.0.1' };
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await waitReady(gatewayUrl, args.host);
  return { url: gatewayUrl, host: args.host };
}

interface Voter {
  memberId: string;
  place: string;
  ip: string;
  token: string;
  body: string;
  contests: number;
}


function cannon(opts: { url: string; host: string; voters: Voter[]; connections: number; amount?: number; duration?: number; onResponse?: (voter: number, status: number, body: string) => void }) {
  let next = 0;
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
    url: `${opts.url}/api/v1/votes`,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? 5 }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          const i = next++ % opts.voters.length;
          const v = opts.voters[i]!;
          context.voter = i;
          req.headers = { host: opts.host, 'content-type': 'application/json', authorization: `Bearer ${v.token}`, 'x-forwarded-for': v.ip };
          req.body = v.body;
          return req;
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) => opts.onResponse?.(context.voter as number, status, body),
      },
    ],
  } as unknown as autocannon.Options, (err, result) => (err ? reject(err as Error) : resolve(result)));
  });
  return { stop: () => instance?.stop(), done };
}

async function main() {
  const votersWanted = Number(args.voters);
  const connections = Number(args.connections);
  const maxMarks = Number(args['max-marks']);
  const db = createDb({ url: DATABASE_URL, poolMax: 4, applicationName: 'loadtest-voting' });
  const redis = new Redis(REDIS_URL);
  try {
    const { url: target, host } = args.spawn ? await spawnStack() : { url: args.url, host: args.host };
    if (!args.spawn) await waitReady(target, host, 5_000).catch(() => {
      throw new Error(`nothing ready at ${target} (Host ${host}); start the stack (pnpm start) or pass --spawn`);
    });

    const election = args.election
      ? Number(args.election)
      : (await sql<{ id: number }>`select id from elections where opens_at <= now() and closes_at > now() and closed_at is null order by id desc limit 1`.execute(db)).rows[0]?.id;
    if (!election) throw new Error('no open election in the database (pnpm seed)');

    // Voters who have not voted in this election yet.
    const t0 = Date.now();
    const { rows: members } = await sql<{ id: string; place: string }>`
      select m.id, m.region_id || '/' || m.district_id as place from members m
      where m.status = 'active'
        and not exists (select 1 from participation p join contests c on c.id = p.contest_id where p.member_id = m.id and c.election_id = ${election})
      order by m.id limit ${votersWanted}`.execute(db);
    if (members.length < votersWanted) log(`only ${members.length} members have not voted yet`);
    const voters: Voter[] = [];
    const chunk = 2000;
    for (let i = 0; i < members.length; i += chunk) {
      const part = members.slice(i, i + chunk);
      const tokens = await Promise.all(
        part.map((m, k) => {
          const n = i + k + 1;
          const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
          return issueToken(redis, REDIS_PREFIX, { memberId: m.id, electionId: election, ip }, 4 * 3600).then((t) => ({ memberId: m.id, ip, token: t.token }));
        }),
      );
      tokens.forEach((t, k) => voters.push({ ...t, place: part[k]!.place, body: '', contests: 0 }));
    }
    log(`${voters.length} voters authorized (tokens in Redis) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Each voter's ballot, outside the timed part; random marks within each contest's limit.
    const t1 = Date.now();
    // node:http, not undici 8 (which needs Node 22's zstd).
    const agent = new http.Agent({ keepAlive: true, maxSockets: Number(args['fetch-connections']) });
    const getJson = (v: Voter) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(`${target}/api/v1/ballot`, { agent, headers: { host, authorization: `Bearer ${v.token}`, 'x-forwarded-for': v.ip } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    let fetched = 0;
    // per-place: one voter per place fetches; the others of that place reuse its contests.
    const keyOf = (v: Voter, i: number) => (args.fetch === 'per-place' ? v.place : String(i));
    const fetchers = new Map<string, number>();
    voters.forEach((v, i) => !fetchers.has(keyOf(v, i)) && fetchers.set(keyOf(v, i), i));
    const queueOfVoters = [...fetchers.values()];
    const contestsByPlace = new Map<string, Array<{ id: number; maxChoices: number; voted: boolean; candidates: Array<{ id: number }> }>>();
    await Promise.all(
      Array.from({ length: Number(args['fetch-connections']) }, async () => {
        for (let i = queueOfVoters.pop(); i !== undefined; i = queueOfVoters.pop()) {
          const v = voters[i]!;
          const res = await getJson(v);
          if (res.status !== 200) throw new Error(`GET /api/v1/ballot → ${res.status}: ${res.text}`);
          const ballot = JSON.parse(res.text) as { contests: Array<{ id: number; maxChoices: number; voted: boolean; candidates: Array<{ id: number }> }> };
          contestsByPlace.set(keyOf(v, i), ballot.contests);
          fetched++;
        }
      }),
    );
    agent.destroy();
    voters.forEach((v, i) => {
      const contests = contestsByPlace.get(keyOf(v, i));
      if (!contests) return;
      const selections = contests
        .filter((c) => !c.voted && c.candidates.length > 0)
        .map((c) => {
          const k = 1 + Math.floor(Math.random() * Math.min(maxMarks, c.maxChoices, c.candidates.length));
          const ids = c.candidates.map((x) => x.id).sort(() => Math.random() - 0.5).slice(0, k);
          return { contestId: c.id, candidateIds: ids };
        });
      v.body = JSON.stringify({ selections });
      v.contests = selections.length;
    });
    const ready = voters.filter((v) => v.contests > 0);
    log(`${fetched} ballots fetched in ${((Date.now() - t1) / 1000).toFixed(1)} s; ${ready.length} voters have contests to vote in`);

    // Baseline first, while the stack is idle.
    let baseline: autocannon.Result | null = null;
    if (!args['no-baseline']) {
      const b = await spawnBaseline('vote');
      baseline = await cannon({ url: b.url, host: '127.0.0.1', voters: ready, connections, duration: Number(args['baseline-duration']) }).done;
      await b.close();
      log(`baseline: ${Math.round(baseline.requests.average)} req/s, p50 ${baseline.latency.p50} ms, p99 ${baseline.latency.p99} ms`);
    }

    const ballotsBefore = Number((await sql<{ n: string }>`select count(*) n from (select contest_id from ballots union all select contest_id from sealed_ballots) b join contests c on c.id = b.contest_id where c.election_id = ${election}`.execute(db)).rows[0]!.n);
    const receipts = new Array<string[] | undefined>(ready.length);
    const statuses: Record<string, number> = {};
    const series: Array<{ t: number; backlog: number; accepted: number }> = [];
    let accepted = 0;
    const start = Date.now();
    const sampler = setInterval(() => {
      void redis.get(voteBacklogKey(REDIS_PREFIX)).then((backlog) => {
        series.push({ t: Math.round((Date.now() - start) / 100) / 10, backlog: Number(backlog ?? 0), accepted });
      }, () => undefined); // a missed sample leaves a gap in the chart, not a crash
    }, 1000);

    log(`voting: ${ready.length} voters, ${connections} connections → ${target} (Host ${host})`);
    const instance = cannon({
      url: target,
      host,
      voters: ready,
      connections,
      amount: ready.length,
      onResponse(i, status, body) {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202) {
          accepted++;
          receipts[i] = (JSON.parse(body) as { receipts: Array<{ receipt: string }> }).receipts.map((r) => r.receipt);
        }
      },
    });
    const cap = setTimeout(() => instance.stop(), Number(args.duration) * 1000);
    const result: autocannon.Result = await instance.done;
    clearTimeout(cap);
    const votingSeconds = (Date.now() - start) / 1000;
    log(`timed part done in ${votingSeconds.toFixed(1)} s; statuses ${JSON.stringify(statuses)}`);

    // Until every accepted vote is in Postgres, sealed or released (or the drain timeout).
    const expected = ready.reduce((s, v, i) => s + (receipts[i] ? v.contests : 0), 0);
    const drainUntil = Date.now() + Number(args['drain-timeout']) * 1000;
    let stored = 0;
    for (;;) {
      stored = Number((await sql<{ n: string }>`select count(*) n from (select contest_id from ballots union all select contest_id from sealed_ballots) b join contests c on c.id = b.contest_id where c.election_id = ${election}`.execute(db)).rows[0]!.n) - ballotsBefore;
      if (stored >= expected || Date.now() > drainUntil) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const persistedSeconds = (Date.now() - start) / 1000;
    clearInterval(sampler);

    // Every 202 carries one receipt per contest voted, each recorded, and nothing more.
    let wrongCount = 0;
    ready.forEach((v, i) => receipts[i] && receipts[i].length !== v.contests && wrongCount++);
    const hashes = receipts.flatMap((r) => r ?? []).map((r) => hashReceipt(r));
    let missing = 0;
    for (let i = 0; i < hashes.length; i += 10_000) {
      const part = hashes.slice(i, i + 10_000);
      const { rows } = await sql<{ n: string }>`
        select count(*) n from receipts
        where receipt_hash = any(array(select decode(x, 'hex') from unnest(${part}::text[]) x))`.execute(db);
      missing += part.length - Number(rows[0]!.n);
    }
    const extra = stored - expected;

    const ours = accepted / Math.max(result.duration, 0.001);
    const summary = {
      scenario: 'voting',
      label: args.label,
      at: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      target,
      connections,
      voters: ready.length,
      election,
      voting: {
        seconds: result.duration,
        requests: result.requests.total,
        statuses,
        acceptedBallots: accepted,
        acceptedBallotsPerSecond: Math.round(ours),
        acceptedContestVotesPerSecond: Math.round(expected / Math.max(result.duration, 0.001)),
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
      },
      baseline: baseline
        ? { requestsPerSecond: Math.round(baseline.requests.average), latencyMs: { p50: baseline.latency.p50, p99: baseline.latency.p99 } }
        : null,
      ratioToBaseline: baseline ? Number((ours / baseline.requests.average).toFixed(3)) : null,
      persistence: {
        expectedBallots: expected,
        storedBallots: stored,
        secondsFromStartUntilAllStored: stored >= expected ? Number(persistedSeconds.toFixed(1)) : null,
        allStoredWithinFiveMinutes: stored >= expected && persistedSeconds <= 300,
        drainedAfterVotingSeconds: stored >= expected ? Number((persistedSeconds - votingSeconds).toFixed(1)) : null,
        receiptsMissing: missing,
        receiptsWithWrongBallotCount: wrongCount,
        extraBallots: extra,
      },
      backlog: { max: Math.max(0, ...series.map((s) => s.backlog)), series },
    };
    const ok = missing === 0 && wrongCount === 0 && extra === 0 && stored >= expected;
    console.log('\n=== voting load test ===');
    console.log(`accepted ballots/s : ${summary.voting.acceptedBallotsPerSecond} (${summary.voting.acceptedContestVotesPerSecond} contest votes/s), ${accepted} of ${result.requests.total} requests`);
    console.log(`latency            : p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
    if (baseline) console.log(`baseline (zod only): ${summary.baseline!.requestsPerSecond} req/s, p99 ${baseline.latency.p99} ms → ratio ${summary.ratioToBaseline}`);
    console.log(`backlog            : max ${summary.backlog.max} votes; ${series.map((s) => `${s.t}s:${s.backlog}`).join(' ')}`);
    console.log(`persisted          : ${stored}/${expected} ballots; all stored ${summary.persistence.secondsFromStartUntilAllStored ?? 'NOT'} s after start (${summary.persistence.drainedAfterVotingSeconds ?? '-'} s after the last answer); within 5 min: ${summary.persistence.allStoredWithinFiveMinutes ? 'yes' : 'NO'}`);
    console.log(`receipts check     : missing ${missing}, wrong count ${wrongCount}, extra ballots ${extra} → ${ok ? 'OK' : 'FAILED'}`);
    await mkdir(path.join(ROOT, 'loadtest', 'results'), { recursive: true });
    const file = path.join(ROOT, 'loadtest', 'results', `voting-${summary.at.replace(/[:.]/g, '-')}${args.label ? `-${args.label}` : ''}.json`);
    await writeFile(file, JSON.stringify(summary, null, 2));
    console.log(`written            : ${path.relative(ROOT, file)}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await db.destroy();
    stopChildren();
    // --spawn used a private prefix: drop its tokens, pre-check sets and queue keys.
    if (args.spawn) {
      await childrenExited(15_000);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
    redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
  stopChildren();
});
