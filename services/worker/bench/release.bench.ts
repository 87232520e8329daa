import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Kysely, sql } from 'kysely';
import { type Database, insertReceipts, insertSealedBallots } from '@primaries/db';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys, parseSealed } from '@primaries/sealing';
import { createSmallElection, createTestDatabase } from '@primaries/testing';
import { releaseReady } from '../src/release/release';
import { sweepReceipts } from '../src/release/sweep';

/**
 * The release step's throughput (issue #9, target ≥ 50,000 ballots/s): N sealed contest
 * ballots spread over the contests of a small election, as the worker records them (with
 * their receipts), then ONE timed release of everything (the close: groups of at most
 * 5,000 per transaction, each opened, shuffled and inserted), and the receipts' sweep.
 * Uses a database of its own on TEST_PG_URL (default the local Postgres), dropped after.
 *
 *   pnpm --filter @primaries/worker bench:release -- --ballots 200000 --marks 3
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    ballots: { type: 'string', default: '100000' },
    marks: { type: 'string', default: '3' },
    min: { type: 'string', default: '100' },
  },
});
const N = Number(values.ballots);
const MARKS = Number(values.marks);

/**
 * CPU time (ms) so far of the Postgres backends serving this database, by pid, read from
 * /proc: on a shared machine CPU per ballot is steadier than wall time. Empty when Postgres
 * is not on this machine (or /proc is not there).
 */
async function backendCpu(db: Kysely<Database>): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const file = `/proc/${pid}/stat`;
    if (!existsSync(file)) continue;
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
  }
  return out;
}
const CLOCK_TICKS = 100;

async function main(): Promise<void> {
  const tdb = await createTestDatabase('releasebench');
  try {
    const el = await createSmallElection(tdb.db, { maxChoices: MARKS });
    const contests = [el.contests.national, ...el.contests.region, ...el.contests.district];
    const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('bench')));
    const t0 = performance.now();
    for (let done = 0; done < N; done += 5000) {
      const part = Array.from({ length: Math.min(5000, N - done) }, (_, i) => {
        const contestId = contests[(done + i) % contests.length]!;
        const cands = el.candidates[contestId]!;
        const receiptHash = createHash('sha256').update(`r${done + i}`).digest('hex');
        return { contestId, receiptHash, marks: cands.slice(0, 1 + ((done + i) % MARKS)).sort((a, b) => a - b) };
      });
      await insertSealedBallots(tdb.db, part.map((b) => ({ contestId: b.contestId, ...parseSealed(sealer.seal(b, MARKS)) })));
      await insertReceipts(tdb.db, part.map((b) => ({ hash: b.receiptHash, contestId: b.contestId })), 'recorded');
    }
    await sql`vacuum analyze sealed_ballots`.execute(tdb.db);
    const setupMs = performance.now() - t0;

    const pg0 = await backendCpu(tdb.db);
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    const summary = await releaseReady({ db: tdb.db, sealer }, { min: Number(values.min), final: new Set(contests) });
    const releaseMs = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    const pg1 = await backendCpu(tdb.db);
    const pgMs = [...pg1].reduce((sum, [pid, ms]) => sum + ms - (pg0.get(pid) ?? 0), 0);
    const t2 = performance.now();
    const swept = await sweepReceipts({ db: tdb.db, sealer });
    const sweepMs = performance.now() - t2;

    const { rows } = await sql<{ n: number }>`select count(*)::int n from ballots`.execute(tdb.db);
    if (rows[0]!.n !== N || summary.released !== N) throw new Error(`released ${summary.released}, ballots ${rows[0]!.n}, expected ${N}`);
    const result = {
      bench: 'release',
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      ballots: N,
      marksPerBallot: `1–${MARKS}`,
      groups: summary.groups,
      releaseSeconds: Number((releaseMs / 1000).toFixed(2)),
      ballotsPerSecond: Math.round(N / (releaseMs / 1000)),
      /** This process's CPU (opening, shuffling, encoding) per ballot; Postgres's is not in it. */
      workerCpuMicrosecondsPerBallot: Number(((cpu.user + cpu.system) / N).toFixed(1)),
      /** The Postgres backends' CPU per ballot (0 when Postgres is not on this machine): with the worker's, what bounds the rate on a given number of cores. */
      postgresCpuMicrosecondsPerBallot: Number(((pgMs * 1000) / N).toFixed(1)),
      loadAverage: loadavg()[0] ?? 0,
      receiptsSweptAfter: swept,
      sweepSeconds: Number((sweepMs / 1000).toFixed(2)),
      setupSeconds: Number((setupMs / 1000).toFixed(1)),
    };
    console.log(
      `release: ${N} ballots in ${summary.groups} groups, ${result.releaseSeconds} s → ${result.ballotsPerSecond} ballots/s (target ≥ 50,000); ` +
        `CPU per ballot: worker ${result.workerCpuMicrosecondsPerBallot} µs, Postgres ${result.postgresCpuMicrosecondsPerBallot} µs; sweep ${result.sweepSeconds} s; load average ${result.loadAverage.toFixed(1)}`,
    );
    const dir = join(__dirname, '..', '..', '..', 'loadtest', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `release-${result.at.replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2));
  } finally {
    await tdb.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
