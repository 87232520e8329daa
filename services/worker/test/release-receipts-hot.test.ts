import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { insertReceipts, insertSealedBallots } from '@primaries/db';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys, parseSealed } from '@primaries/sealing';
import { type SmallElection, type TestDatabase, createSmallElection, createTestDatabase, waitFor } from '@primaries/testing';
import { releaseReady } from '../src/release/release';

// The release's throughput (issue #9): a receipt's status changes are HOT updates — no index
// names `status`, pages keep room — since a full new tuple with two index entries per
// receipt was a third of the release's Postgres CPU (docs/secrecy.md, "The release bench").
let tdb: TestDatabase;
let el: SmallElection;
const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));

beforeAll(async () => {
  tdb = await createTestDatabase('releasehot');
  el = await createSmallElection(tdb.db, { maxChoices: 2 });
});
afterAll(async () => {
  await tdb.drop();
});

/** Updates of `receipts` so far, and how many of them were HOT (the statistics lag: wait until they show `atLeast`). */
async function receiptUpdates(atLeast = 0): Promise<{ updates: number; hot: number }> {
  let last = { updates: 0, hot: 0 };
  await waitFor(async () => {
    const { rows } = await sql<{ updates: number; hot: number }>`
      select n_tup_upd::int updates, n_tup_hot_upd::int hot from pg_stat_user_tables where relname = 'receipts'`.execute(tdb.db);
    last = rows[0]!;
    return last.updates >= atLeast;
  }, { message: `receipts' update statistics to show ${atLeast} updates`, timeoutMs: 15_000 });
  return last;
}

it("marks a group's receipts released with HOT updates only", async () => {
  // As the worker writes them: each voter's national, region and district ballots together.
  const contests = [el.contests.national, el.contests.region[0]!, el.contests.district[0]!];
  const N = contests[0]!;
  const votes = Array.from({ length: 300 }, () => contests.map((c) => ({ contestId: c, marks: [el.candidates[c]![0]!], receiptHash: createHash('sha256').update(randomUUID()).digest('hex') }))).flat();
  await insertSealedBallots(tdb.db, votes.map((v) => ({ contestId: v.contestId, ...parseSealed(sealer.seal(v, 2)) })));
  await insertReceipts(tdb.db, votes.map((v) => ({ hash: v.receiptHash, contestId: v.contestId })), 'recorded');
  const before = await receiptUpdates();

  expect(await releaseReady({ db: tdb.db, sealer }, { min: 100, final: new Set([N]) }, [N])).toMatchObject({ released: 300 });
  const after = await receiptUpdates(before.updates + 300);
  expect({ updates: after.updates - before.updates, hot: after.hot - before.hot }).toEqual({ updates: 300, hot: 300 });
});
