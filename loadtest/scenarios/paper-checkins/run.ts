/**
 * Paper check-ins beside online voting (issue #15): does a polling-station day slow the
 * vote path? The voting scenario (scenarios/voting/run.ts --spawn --direct: its own vote
 * service and worker) runs in rounds, alternately alone and with a concurrent stream of
 * paper check-ins on the SAME Postgres database and Redis prefix, and the accepted
 * ballots/s of both are printed with their ratio.
 *
 * The stream is the 2020 paper day: 82,000 check-ins over 643 stations in one hour is
 * ≈ 22.8/s; `--compress k` runs k times that rate (the hour compressed k-fold). Each
 * check-in is the console's own code path (`checkIn` of the admin service: the member
 * look-up, the Redis voted-set claim, participation + check-in + audit event in one
 * transaction), called in this process rather than through the admin service's HTTP
 * layer: what the two loads share is Postgres and Redis, and that is what this measures.
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/paper-checkins/run.ts \
 *     [--rounds 2] [--voters 5000] [--connections 200] [--stations 643] [--listed 82000] [--compress 1]
 *
 * Needs a seeded database with an open election (DATABASE_URL; `pnpm primaries seed`) and
 * REDIS_URL. Adds BENCH-### stations, lists the members with the highest ids (the voting
 * scenario takes the lowest), one precinct account per station; removes them at the end
 * (the audit trail, append-only, keeps its events).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { checkIn } from '@primaries/admin/paper-checkin';
import { type Staff, type StationView, createDb, findStation } from '@primaries/db';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    voters: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '200' },
    stations: { type: 'string', default: '643' },
    listed: { type: 'string', default: '82000' },
    compress: { type: 'string', default: '1' },
  },
});
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/primaries';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LOADTEST = path.join(__dirname, '..', '..');
const RATE = (82_000 / 3600) * Number(args.compress);
const MAX_IN_FLIGHT = 64;
const log = (msg: string) => console.log(`[paper-checkins] ${msg}`);
const db = createDb({ url: DATABASE_URL, poolMax: 10, applicationName: 'bench-paper-checkins' });

interface Desk {
  station: StationView;
  staff: Staff;
  iins: string[];
}

/** 643 stations open now, the members with the highest ids on their lists, one precinct account each. */
async function setUp(electionId: number): Promise<Desk[]> {
  const districts = (await sql<{ id: number }>`select id from districts order by id`.execute(db)).rows;
  const desks: Desk[] = [];
  const n = Number(args.stations);
  const members = (await sql<{ id: string; iin: string }>`select m.id::text as id, m.iin from members m where m.status = 'active' order by m.id desc limit ${Number(args.listed)}`.execute(db)).rows;
  for (let i = 0; i < n; i++) {
    const s = await db
      .insertInto('polling_stations')
      .values({ election_id: electionId, district_id: districts[i % districts.length]!.id, code: `BENCH-${String(i + 1).padStart(3, '0')}`, settlement: `Bench ${i + 1}`, address: null, opens_at: new Date(Date.now() - 3600_000), closes_at: new Date(Date.now() + 6 * 3600_000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const staff = await db.insertInto('staff').values({ login: `bench-${randomBytes(4).toString('hex')}`, role: 'precinct', station_id: s.id, password_hash: null, totp_secret: null, totp_last_step: null, enrolled_at: null, disabled_at: null, locked_until: null }).returningAll().executeTakeFirstOrThrow();
    desks.push({ station: (await findStation(db, s.id))!, staff, iins: [] });
  }
  for (let i = 0; i < members.length; i += 5000) {
    const chunk = members.slice(i, i + 5000).map((m, j) => ({ m, desk: desks[(i + j) % n]! }));
    for (const { m, desk } of chunk) desk.iins.push(m.iin);
    await db.insertInto('paper_voters').values(chunk.map(({ m, desk }) => ({ election_id: electionId, member_id: m.id, polling_station_id: desk.station.id }))).onConflict((oc) => oc.doNothing()).execute();
  }
  return desks;
}

async function tearDown(desks: Desk[]): Promise<void> {
  const ids = desks.map((d) => d.station.id);
  if (!ids.length) return;
  await sql`delete from participation where channel = 'paper' and polling_station_id = any(${ids}::int[])`.execute(db);
  await sql`delete from paper_checkins where polling_station_id = any(${ids}::int[])`.execute(db);
  await sql`delete from paper_voters where polling_station_id = any(${ids}::int[])`.execute(db);
  await sql`delete from staff where station_id = any(${ids}::int[])`.execute(db);
  await sql`delete from polling_stations where id = any(${ids}::int[])`.execute(db);
}

/** Check-ins at RATE per second, round-robin over the stations, until `stop` says so. */
async function checkInStream(desks: Desk[], prefix: string, stop: () => boolean): Promise<{ done: number; refused: number; behind: number; seconds: number; p99: number }> {
  const redis = new Redis(REDIS_URL);
  const stores = { db, redis, prefix };
  const started = Date.now();
  const latencies: number[] = [];
  let done = 0;
  let refused = 0;
  let next = 0;
  const inflight = new Set<Promise<void>>();
  while (!stop()) {
    const due = Math.floor(((Date.now() - started) / 1000) * RATE);
    // At most MAX_IN_FLIGHT at once: a stream the stores cannot keep up with falls behind (reported), it does not pile up.
    while (next < due && inflight.size < MAX_IN_FLIGHT) {
      const desk = desks[next % desks.length]!;
      const iin = desk.iins.pop();
      next++;
      if (!iin) continue;
      const t = performance.now();
      const p = checkIn(stores, desk.staff, desk.station, iin)
        .then(() => void done++, () => void refused++)
        .finally(() => {
          latencies.push(performance.now() - t);
          inflight.delete(p);
        });
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(inflight);
  redis.disconnect();
  latencies.sort((a, b) => a - b);
  const seconds = (Date.now() - started) / 1000;
  return { done, refused, behind: Math.max(0, Math.floor(seconds * RATE) - next), seconds, p99: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0) };
}

/** One voting run (its own vote service and worker); resolves with its accepted ballots/s. */
function votingRun(prefix: string, timed: { start(): void; end(): void }): Promise<number> {
  return new Promise((resolve, reject) => {
    const argv = ['exec', 'tsx', 'scenarios/voting/run.ts', '--spawn', '--direct', '--no-baseline', '--voters', args.voters, '--connections', args.connections];
    const child = spawn('pnpm', argv, { cwd: LOADTEST, env: { ...process.env, LT_REDIS_PREFIX: prefix }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString();
      out += text;
      // The stream runs during the timed part only (not the set-up or the drain).
      if (text.includes('[voting] voting: ')) timed.start();
      if (text.includes('[voting] timed part done')) timed.end();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /accepted ballots\/s : ([\d.]+)/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`voting run exited ${code}:\n${out.slice(-2000)}`));
      resolve(Number(m[1]));
    });
  });
}

async function main(): Promise<void> {
  const election = (await sql<{ id: number }>`select id from elections where opens_at <= now() and closes_at > now() and closed_at is null order by id desc limit 1`.execute(db)).rows[0]?.id;
  if (!election) throw new Error('no open election in the database (pnpm primaries seed)');
  const desks = await setUp(election);
  log(`${desks.length} stations, ${desks.reduce((n, d) => n + d.iins.length, 0)} members on their lists; check-ins at ${RATE.toFixed(1)}/s (×${args.compress} the 2020 paper hour)`);
  const alone: number[] = [];
  const beside: number[] = [];
  try {
    for (let r = 0; r < Number(args.rounds); r++) {
      // Alternate which goes first, so a machine getting busier favours neither.
      for (const withPaper of r % 2 === 0 ? [false, true] : [true, false]) {
        const prefix = `lt_paper_${randomBytes(3).toString('hex')}`;
        let finished = false;
        let stream: ReturnType<typeof checkInStream> | null = null;
        const rate = await votingRun(prefix, {
          start: () => void (stream = withPaper ? checkInStream(desks, prefix, () => finished) : null),
          end: () => void (finished = true),
        }).finally(() => (finished = true));
        const s = await (stream as ReturnType<typeof checkInStream> | null);
        (withPaper ? beside : alone).push(rate);
        log(`round ${r + 1} ${withPaper ? 'with check-ins' : 'alone'}: ${rate} ballots/s${s ? `; check-ins ${s.done} in ${s.seconds.toFixed(1)} s (${(s.done / s.seconds).toFixed(1)}/s of ${RATE.toFixed(1)}/s asked, ${s.behind} behind; p99 ${s.p99} ms), refused ${s.refused}` : ''}`);
      }
    }
  } finally {
    await tearDown(desks);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log('\n=== paper check-ins beside voting ===');
  console.log(`voting alone          : ${mean(alone).toFixed(1)} accepted ballots/s (${alone.join(', ')})`);
  console.log(`voting with check-ins : ${mean(beside).toFixed(1)} accepted ballots/s (${beside.join(', ')})`);
  console.log(`ratio                 : ${(mean(beside) / mean(alone)).toFixed(3)} (issue #15 asks ≥ 0.90)`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => void db.destroy());
