import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { insertReceipts, insertSealedBallots } from '@primaries/db';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys, parseSealed } from '@primaries/sealing';
import { type SmallElection, type TestDatabase, createSmallElection, createTestDatabase, waitFor } from '@primaries/testing';
import { groupSize, releaseGroup, releaseReady } from '../src/release/release';
import { sweepReceipts } from '../src/release/sweep';

// The release step (issue #9): sealed contest ballots move into `ballots` in shuffled groups
// of at least K per contest, each group in one transaction that touches nothing else, and
// exactly once whatever stops in between.
let tdb: TestDatabase;
let el: SmallElection;
const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));
const deps = () => ({ db: tdb.db, sealer });

beforeAll(async () => {
  tdb = await createTestDatabase('release');
  el = await createSmallElection(tdb.db, { maxChoices: 2 });
});
afterAll(async () => {
  await tdb.drop();
});
beforeEach(async () => {
  await sql`truncate ballots, sealed_ballots, receipts`.execute(tdb.db);
});

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/** Records n sealed ballots of a contest and their receipts, as the worker does; returns their receipt hashes and marks. */
async function record(contestId: number, n: number, s: BallotSealer = sealer): Promise<Array<{ receiptHash: string; marks: number[] }>> {
  const cands = el.candidates[contestId]!;
  const votes = Array.from({ length: n }, (_, i) => ({ contestId, marks: [cands[i % 4]!], receiptHash: hash(randomUUID()) }));
  await insertSealedBallots(tdb.db, votes.map((v) => ({ contestId, ...parseSealed(s.seal(v, 2)) })));
  await insertReceipts(tdb.db, votes.map((v) => ({ hash: v.receiptHash, contestId })), 'recorded');
  return votes;
}

async function count(table: 'ballots' | 'sealed_ballots', contestId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int n from ${sql.table(table)} where contest_id = ${contestId}`.execute(tdb.db);
  return rows[0]!.n;
}

async function receiptStatuses(): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: string; n: number }>`select status, count(*)::int n from receipts group by 1`.execute(tdb.db);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Ballots per release transaction (xmin), smallest first. */
async function groupSizes(contestId: number): Promise<number[]> {
  const { rows } = await sql<{ n: number }>`select count(*)::int n from ballots where contest_id = ${contestId} group by xmin::text`.execute(tdb.db);
  return rows.map((r) => r.n).sort((a, b) => a - b);
}

describe('release', () => {
  it('releases nothing until 2K wait, then a group keeping K in reserve; the reserve at the close; each ballot once with its marks', async () => {
    const N = el.contests.national;
    const votes = await record(N, 19);
    expect(await releaseReady(deps(), { min: 10 })).toEqual({ released: 0, groups: 0, failed: [] });
    expect(await count('ballots', N)).toBe(0);
    votes.push(...(await record(N, 1)));
    expect(await releaseReady(deps(), { min: 10 })).toEqual({ released: 10, groups: 1, failed: [] });
    expect(await count('sealed_ballots', N)).toBe(10);
    expect(await receiptStatuses()).toEqual({ recorded: 10, released: 10 });
    // The close: the reserve goes, itself a group of K.
    expect(await releaseReady(deps(), { min: 10, final: new Set([N]) })).toEqual({ released: 10, groups: 1, failed: [] });
    expect(await count('sealed_ballots', N)).toBe(0);
    const ballots = await tdb.db.selectFrom('ballots').select('marks').where('contest_id', '=', N).execute();
    const sorted = (m: number[][]) => m.map((x) => x.join(',')).sort();
    expect(sorted(ballots.map((b) => b.marks))).toEqual(sorted(votes.map((v) => v.marks)));
    expect(await receiptStatuses()).toEqual({ released: 20 });
    expect(await groupSizes(N)).toEqual([10, 10]);
  });

  it('sizes groups: none below 2K waiting, never fewer than K left while voting goes on, at most maxGroup', () => {
    expect([19, 20, 25, 40, 100].map((n) => groupSize(n, { min: 10 }, false))).toEqual([0, 10, 15, 30, 90]);
    expect(groupSize(12_000, { min: 100 }, false)).toBe(5000);
    expect([1, 9, 5099, 5100].map((n) => groupSize(n, { min: 100 }, true))).toEqual([1, 9, 5099, 5000]);
    // No reserve (BALLOT_RELEASE_RESERVE=0): a group as soon as K wait.
    expect([9, 10, 11].map((n) => groupSize(n, { min: 10, reserve: 0 }, false))).toEqual([0, 10, 11]);
  });

  it('its transaction touches nothing but the group: no other table has a row of its xmin', async () => {
    const R = el.contests.region[0]!;
    await record(R, 12);
    await releaseReady(deps(), { min: 6 });
    const { rows } = await sql<{ x: string }>`select distinct xmin::text x from ballots where contest_id = ${R}`.execute(tdb.db);
    expect(rows).toHaveLength(1);
    const xid = rows[0]!.x;
    const tables = (await sql<{ t: string }>`select table_name t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(tdb.db)).rows.map((r) => r.t);
    for (const t of tables.filter((t) => t !== 'ballots')) {
      const written = await sql<{ n: number }>`select count(*)::int n from ${sql.table(t)} where xmin::text = ${xid}`.execute(tdb.db);
      expect({ t, n: written.rows[0]!.n }).toEqual({ t, n: 0 });
      // xmax of a live row is a lock: the ballots' foreign key takes a key-share lock on
      // their contest's row. That says "contest R was released", nothing of any voter.
      const locked = await sql<{ id: unknown }>`select * from ${sql.table(t)} where xmax::text = ${xid}`.execute(tdb.db);
      expect({ t, locked: locked.rows.length }).toEqual({ t, locked: t === 'contests' ? 1 : 0 });
    }
  });

  it('splits a long queue into groups of at most maxGroup, holds its reserve until the close, then releases it in groups of at least K', async () => {
    const D = el.contests.district[0]!;
    await record(D, 45);
    expect(await releaseReady(deps(), { min: 10, maxGroup: 15 })).toMatchObject({ released: 30, groups: 2 });
    expect(await groupSizes(D)).toEqual([15, 15]);
    await record(D, 3);
    expect(await releaseReady(deps(), { min: 10, maxGroup: 15 })).toMatchObject({ released: 0 });
    expect(await releaseReady(deps(), { min: 10, maxGroup: 15, final: new Set([D]) })).toMatchObject({ released: 18, groups: 1 });
    expect(await count('sealed_ballots', D)).toBe(0);
    expect(await count('ballots', D)).toBe(48);
    expect(await groupSizes(D)).toEqual([15, 15, 18]);
  });

  it('two releases at once (two worker processes) release every ballot once', async () => {
    const N = el.contests.national;
    await record(N, 300);
    const [a, b] = await Promise.all([releaseReady(deps(), { min: 50, maxGroup: 60 }), releaseReady(deps(), { min: 50, maxGroup: 60 })]);
    expect(a.released + b.released).toBe(await count('ballots', N));
    const left = await count('sealed_ballots', N);
    expect(left).toBeGreaterThanOrEqual(50);
    expect(left).toBeLessThan(100);
    expect(await count('ballots', N)).toBe(300 - left);
    for (const size of await groupSizes(N)) expect(size).toBeGreaterThanOrEqual(50);
  });

  it('a release stopped inside its transaction keeps every sealed ballot; the next one releases each once', async () => {
    const N = el.contests.national;
    await record(N, 20);
    const locker = new pg.Client({ connectionString: tdb.url });
    const watcher = new pg.Client({ connectionString: tdb.url });
    await Promise.all([locker.connect(), watcher.connect()]);
    try {
      await locker.query('begin');
      await locker.query('lock table ballots in exclusive mode');
      const running = releaseReady(deps(), { min: 10, final: new Set([N]) });
      const blocked = `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into ballots%'`;
      await waitFor(async () => (await watcher.query(blocked)).rowCount === 1, { message: 'release blocked at its insert' });
      // Its sealed rows are deleted but not committed: stop it there.
      await watcher.query(`select pg_cancel_backend(pid) from (${blocked}) b`);
      await expect(running).rejects.toThrow(/cancel/);
      await locker.query('commit');
      expect(await count('sealed_ballots', N)).toBe(20);
      expect(await count('ballots', N)).toBe(0);
      expect(await receiptStatuses()).toEqual({ recorded: 20 });
      expect(await releaseReady(deps(), { min: 10, final: new Set([N]) })).toMatchObject({ released: 20 });
      expect(await count('ballots', N)).toBe(20);
      expect(await receiptStatuses()).toEqual({ released: 20 });
    } finally {
      await Promise.all([locker.end(), watcher.end()]);
    }
  });

  it('stopped after its commit but before the receipts say so: the sweep finds them, and only them', async () => {
    const N = el.contests.national;
    const R = el.contests.region[1]!;
    await record(N, 10);
    const waiting = await record(R, 4);
    const locker = new pg.Client({ connectionString: tdb.url });
    const watcher = new pg.Client({ connectionString: tdb.url });
    await Promise.all([locker.connect(), watcher.connect()]);
    try {
      await locker.query('begin');
      await locker.query('lock table receipts in exclusive mode');
      const running = releaseGroup(deps(), N, { min: 10, final: new Set([N]) });
      const blocked = `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%update receipts%'`;
      await waitFor(async () => (await watcher.query(blocked)).rowCount === 1, { message: 'receipts update blocked' });
      await watcher.query(`select pg_cancel_backend(pid) from (${blocked}) b`);
      await expect(running).rejects.toThrow(/cancel/);
      await locker.query('commit');
      // The ballots are released (committed), their receipts still say recorded.
      expect(await count('ballots', N)).toBe(10);
      expect(await receiptStatuses()).toEqual({ recorded: 14 });
      expect(await sweepReceipts(deps())).toBe(10);
      expect(await receiptStatuses()).toEqual({ recorded: 4, released: 10 });
      // The sealed ones of the other contest are still waiting, and still say recorded.
      const still = await sql<{ h: string }>`select encode(receipt_hash, 'hex') h from receipts where status = 'recorded'`.execute(tdb.db);
      expect(still.rows.map((r) => r.h).sort()).toEqual(waiting.map((v) => v.receiptHash).sort());
      expect(await sweepReceipts(deps())).toBe(0);
    } finally {
      await Promise.all([locker.end(), watcher.end()]);
    }
  });

  it('a sealed ballot no configured key opens keeps its whole contest sealed and is reported', async () => {
    const D = el.contests.district[1]!;
    const stranger = new BallotSealer(parseBallotKeys(newBallotKeyEntry('gone')));
    await record(D, 5);
    await record(D, 1, stranger);
    expect(await releaseReady(deps(), { min: 3, final: new Set([D]) })).toEqual({ released: 0, groups: 0, failed: [D] });
    expect(await count('sealed_ballots', D)).toBe(6);
    expect(await count('ballots', D)).toBe(0);
    await expect(sweepReceipts(deps())).rejects.toThrow(/no ballot key with id gone/);
  });

  it('inserts a group in an order that is not the order the sealed ballots were recorded in', async () => {
    const N = el.contests.national;
    const cands = el.candidates[N]!;
    // 60 sealed ballots whose marks encode their recording order (two marks each, 4 candidates).
    const pairs = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
    const votes = Array.from({ length: 60 }, (_, i) => ({ contestId: N, marks: pairs[i % 6]!.map((k) => cands[k]!), receiptHash: hash(`o${i}`) }));
    for (const v of votes) await insertSealedBallots(tdb.db, [{ contestId: N, ...parseSealed(sealer.seal(v, 2)) }]);
    await releaseReady(deps(), { min: 60, final: new Set([N]) });
    const { rows } = await sql<{ marks: number[] }>`select marks from ballots where contest_id = ${N} order by ctid`.execute(tdb.db);
    expect(rows.map((r) => r.marks.join(','))).not.toEqual(votes.map((v) => v.marks.join(',')));
  });
});
