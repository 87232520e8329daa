import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { insertReceipts, insertSealedBallots } from '@primaries/db';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys, parseSealed } from '@primaries/sealing';
import { type SmallElection, type TestDatabase, createSmallElection, createTestDatabase, waitFor } from '@primaries/testing';
import { releaseReady } from '../src/release/release';

// The release's throughput (issue #9): a group's receipts are found by their key. Joined
// with the list of hashes, Postgres read and hashed the whole receipts table for every group
// of 5,000 (a cost that grows with the election: 2 million receipts at the close), which was
// most of the release's Postgres time (docs/secrecy.md, "The release bench").
let tdb: TestDatabase;
let el: SmallElection;
const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  tdb = await createTestDatabase('releaselookup');
  el = await createSmallElection(tdb.db, { maxChoices: 2 });
});
afterAll(async () => {
  await tdb.drop();
});

/** Reads of the receipts table so far, and its updates (the statistics lag: wait until they show `updatesAtLeast`). */
async function receiptStats(updatesAtLeast = 0): Promise<{ seqScans: number; updates: number }> {
  let last = { seqScans: 0, updates: 0 };
  await waitFor(async () => {
    const { rows } = await sql<{ seqScans: number; updates: number }>`
      select seq_scan::int as "seqScans", n_tup_upd::int updates from pg_stat_user_tables where relname = 'receipts'`.execute(tdb.db);
    last = rows[0]!;
    return last.updates >= updatesAtLeast;
  }, { message: `receipts' statistics to show ${updatesAtLeast} updates`, timeoutMs: 15_000 });
  return last;
}

it("marks a group's receipts released through the receipts' key, without reading the whole table", async () => {
  const [N, R] = [el.contests.national, el.contests.region[0]!];
  // The election so far: 60,000 receipts of other ballots (released or still sealed elsewhere).
  for (let i = 0; i < 60_000; i += 10_000) {
    await insertReceipts(tdb.db, Array.from({ length: 10_000 }, (_, k) => ({ hash: hash(`other ${i + k}`), contestId: R })), 'recorded');
  }
  // One contest's group of 5,000 at the close.
  const votes = Array.from({ length: 5000 }, (_, i) => ({ contestId: N, marks: [el.candidates[N]![i % 2]!], receiptHash: hash(`group ${i}`) }));
  await insertSealedBallots(tdb.db, votes.map((v) => ({ contestId: v.contestId, ...parseSealed(sealer.seal(v, 2)) })));
  await insertReceipts(tdb.db, votes.map((v) => ({ hash: v.receiptHash, contestId: v.contestId })), 'recorded');
  await sql`vacuum analyze receipts`.execute(tdb.db);
  const before = await receiptStats();

  expect(await releaseReady({ db: tdb.db, sealer }, { min: 100, final: new Set([N]) }, [N])).toMatchObject({ released: 5000, groups: 1 });
  const after = await receiptStats(before.updates + 5000);
  expect({ updates: after.updates - before.updates, seqScans: after.seqScans - before.seqScans }).toEqual({ updates: 5000, seqScans: 0 });
  const { rows } = await sql<{ status: string; n: number }>`select status, count(*)::int n from receipts group by 1 order by 1`.execute(tdb.db);
  expect(rows).toEqual([{ status: 'recorded', n: 60_000 }, { status: 'released', n: 5000 }]);
});
